import { randomBytes } from 'node:crypto'
import { REDIS_URL } from '@attesto/agent-runtime/testing'
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
    const seconds = new Set<number>()
    await Promise.all(
      Array.from({ length: 12 }, async (_, index) => {
        await (index % 2 ? first : second).take('busy-tenant')
        seconds.add(Math.floor(Date.now() / 1000))
      }),
    )
    // 12 takes at 5 per second need three distinct seconds.
    expect(seconds.size).toBeGreaterThanOrEqual(3)

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
