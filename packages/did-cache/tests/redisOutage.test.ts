import { randomBytes } from 'node:crypto'
import { OwnRedisServer } from '@attesto/test-servers'
import { DidResolverService } from '@credo-ts/core'
import { DidWebHost } from './support/DidWebHost.js'
import { contextFor, createResolvingAgent, type ResolvingAgent } from './support/testAgent.js'

// The test starts a redis-server of its own on a free port, kills it mid-test and starts it
// again on the same port: the shared Redis on 6379 is never touched.

describe('Redis outage', () => {
  const redis = new OwnRedisServer()
  let host: DidWebHost
  let instance: ResolvingAgent
  const logged: { level: string; message: string }[] = []
  const keyPrefix = `attesto-outage:${randomBytes(4).toString('hex')}:`

  beforeAll(async () => {
    await redis.start()
    host = await new DidWebHost().start()
    instance = await createResolvingAgent({
      redis: redis.url,
      keyPrefix,
      lruTtlSeconds: 60,
      logger: {
        warn: (message) => logged.push({ level: 'warn', message }),
        info: (message) => logged.push({ level: 'info', message }),
      },
    })
  })
  afterAll(async () => {
    await instance.close()
    await host.stop()
    await redis.stop()
  })

  it('keeps verifying through the LRU and direct resolution, warns once, and recovers by itself', async () => {
    const { agent, didCache } = instance
    const known = host.serve('known')
    await agent.dids.resolve(known)
    expect(didCache.cache.redisAvailable).toBe(true)

    await redis.stop()
    const deadline = Date.now() + 5_000
    while (didCache.cache.redisAvailable && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(didCache.cache.redisAvailable).toBe(false)

    // Many resolutions during the outage: none fails.
    const fresh = host.serve('fresh')
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => agent.dids.resolve(i % 2 ? known : fresh)))
    expect(results.every((result) => result.didDocument)).toBe(true)
    const cached = await agent.dids.resolve(known)
    expect(cached.didResolutionMetadata.servedFromCache).toBe(true)
    expect(logged.filter((entry) => entry.level === 'warn')).toHaveLength(1)

    await redis.start()
    await didCache.cache.waitUntilReady(10_000)
    expect(logged.filter((entry) => entry.level === 'info')).toHaveLength(1)
    const another = host.serve('after')
    await agent.dids.resolve(another)
    didCache.cache.clearLocal()
    const fromRedis = await agent.dids.resolve(another)
    expect(fromRedis.didResolutionMetadata.servedFromCache).toBe(true)
    expect(didCache.metrics.snapshot().redisHits).toBeGreaterThanOrEqual(1)

    // The invalidation subscription is back too: another instance's invalidation empties this LRU.
    const other = await createResolvingAgent({ redis: redis.url, keyPrefix, logger: { warn() {}, info() {} } })
    try {
      const key = `did:resolver:${another}`
      expect(didCache.cache.hasLocal(contextFor('x'), key)).toBe(true)
      await other.agent.dependencyManager
        .resolve(DidResolverService)
        .invalidateCacheForDid(other.agent.context, another)
      const until = Date.now() + 5_000
      while (didCache.cache.hasLocal(contextFor('x'), key) && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      expect(didCache.cache.hasLocal(contextFor('x'), key)).toBe(false)
    } finally {
      await other.close()
    }
  })
})
