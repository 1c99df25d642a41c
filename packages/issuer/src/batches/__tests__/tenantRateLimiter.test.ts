import { randomBytes } from 'node:crypto'
import { REDIS_URL } from '@attesto/testing'
import { Redis } from 'ioredis'
import { TenantRateLimiter } from '../tenantRateLimiter.js'

// On the real Redis: at most N takes per tenant per second, over every limiter sharing Redis.

describe('TenantRateLimiter', () => {
  const redis = new Redis(REDIS_URL)
  afterAll(() => redis.disconnect())

  it('spreads a tenant’s work over seconds, shared by two limiters, and leaves other tenants alone', async () => {
    const prefix = `test${randomBytes(4).toString('hex')}`
    const first = new TenantRateLimiter(redis, 5, prefix)
    const second = new TenantRateLimiter(redis, 5, prefix)
    const begun = Date.now()
    await Promise.all(Array.from({ length: 12 }, (_, index) => (index % 2 ? first : second).take('busy-tenant')))
    // 12 takes at 5 per second need three distinct clock seconds, so two second boundaries pass:
    // more than a second. (Seconds of completion would be a flaky measure on a busy machine: takes
    // granted in one second may resolve in the next.)
    expect(Date.now() - begun).toBeGreaterThanOrEqual(990)

    const started = Date.now()
    await first.take('quiet-tenant')
    expect(Date.now() - started).toBeLessThan(500)
  })

  it('does not limit, nor ask Redis, when the rate is 0', async () => {
    // A client that is never connected: any command would fail.
    const offline = new Redis(REDIS_URL, { lazyConnect: true, enableOfflineQueue: false })
    await expect(new TenantRateLimiter(offline, 5, 'x').take('tenant')).rejects.toThrow()
    const unlimited = new TenantRateLimiter(offline, 0, 'x')
    for (let index = 0; index < 100; index++) await unlimited.take('tenant')
    offline.disconnect()
  })
})
