import { randomBytes } from 'node:crypto'
import { deleteKeys, OwnRedisCluster, REDIS_URL, redisClusterToolsInstalled } from '@attesto/test-servers'
import { DidResolverService } from '@credo-ts/core'
import { RedisLruCache } from '../src/RedisLruCache.js'
import { createRedisClient, type RedisTarget } from '../src/redisClient.js'
import { DidWebHost } from './support/DidWebHost.js'
import { contextFor, createResolvingAgent, type ResolvingAgent } from './support/testAgent.js'

// Every test runs twice: against the real Redis (ATTESTO_TEST_REDIS_URL, default 127.0.0.1:6379)
// and against a Redis Cluster of the file's own (three primaries, three replicas; under CI=true
// a missing redis-server fails the run). A did:web host on 127.0.0.1 counts the requests it
// receives. Each test uses its own key prefix.

const cluster = new OwnRedisCluster()
const withCluster = redisClusterToolsInstalled || process.env.CI === 'true'
const connections: { name: string; target: () => RedisTarget }[] = [
  { name: 'one Redis server', target: () => REDIS_URL },
  ...(withCluster ? [{ name: 'a Redis Cluster', target: () => cluster.target }] : []),
]
beforeAll(async () => {
  if (withCluster) await cluster.start()
}, 60_000)
afterAll(() => cluster.stop())
/** Test keys of the shared Redis are deleted; the cluster goes away with its keys. */
const cleanUp = async (target: RedisTarget, prefix: string) => {
  if (typeof target === 'string') await deleteKeys(target, prefix)
}

const silent = { warn: () => {}, info: () => {} }
const freshPrefix = () => `attesto-test:${randomBytes(4).toString('hex')}:`

describe.each(connections)('DID resolution through the cache, with a real Credo agent, on $name', ({ target }) => {
  let host: DidWebHost
  let prefix: string
  const instances: ResolvingAgent[] = []
  const instance = async (options: Record<string, unknown> = {}) => {
    const created = await createResolvingAgent({ redis: target(), keyPrefix: prefix, logger: silent, ...options })
    instances.push(created)
    return created
  }

  beforeEach(async () => {
    host = await new DidWebHost({ delayMillis: 20 }).start()
    prefix = freshPrefix()
  })
  afterEach(async () => {
    await Promise.all(instances.splice(0).map((created) => created.close()))
    await host.stop()
    await cleanUp(target(), prefix)
  })

  it('makes one HTTP call for 1,000 concurrent resolutions of one uncached DID', async () => {
    const { agent, didCache } = await instance()
    const did = host.serve('issuer')
    const results = await Promise.all(Array.from({ length: 1000 }, () => agent.dids.resolve(did)))
    expect(results.every((result) => result.didDocument?.id === did)).toBe(true)
    expect(host.requests).toBe(1)
    expect(didCache.metrics.snapshot().resolverCalls).toBe(1)
    // Each other call waits for the one resolution in flight or, when its cache lookup ends after
    // that resolution has stored its result (lookups queue up longer on a cluster), finds it there.
    const { coalesced, lruHits, redisHits } = didCache.metrics.snapshot()
    expect(coalesced + lruHits + redisHits).toBeGreaterThanOrEqual(999)
  })

  it('serves a resolved DID from the LRU, then from Redis in another instance', async () => {
    const first = await instance()
    const did = host.serve('issuer')
    await first.agent.dids.resolve(did)
    const again = await first.agent.dids.resolve(did)
    expect(again.didResolutionMetadata.servedFromCache).toBe(true)
    expect(first.didCache.metrics.snapshot().lruHits).toBeGreaterThanOrEqual(1)

    const second = await instance()
    const fromRedis = await second.agent.dids.resolve(did)
    expect(fromRedis.didDocument?.id).toBe(did)
    expect(fromRedis.didResolutionMetadata.servedFromCache).toBe(true)
    expect(second.didCache.metrics.snapshot().redisHits).toBe(1)
    expect(host.requests).toBe(1)
    // The Redis hit filled the second instance's LRU.
    expect(second.didCache.cache.hasLocal(contextFor('x'), `did:resolver:${did}`)).toBe(true)
  })

  it('lets one instance resolve while another waits for its result (cross-instance lock)', async () => {
    const [a, b] = [await instance(), await instance()]
    const did = host.serve('busy')
    const [fromA, fromB] = await Promise.all([a.agent.dids.resolve(did), b.agent.dids.resolve(did)])
    expect(fromA.didDocument?.id).toBe(did)
    expect(fromB.didDocument?.id).toBe(did)
    expect(host.requests).toBe(1)
    const waits = a.didCache.metrics.snapshot().remoteWaits + b.didCache.metrics.snapshot().remoteWaits
    expect(waits).toBe(1)
  })

  it('caches notFound for a short time, and never caches a transient error', async () => {
    const { agent, didCache } = await instance({ negativeTtlSeconds: 60 })
    const missing = host.did('nobody')
    expect((await agent.dids.resolve(missing)).didResolutionMetadata.error).toBe('notFound')
    expect((await agent.dids.resolve(missing)).didResolutionMetadata.error).toBe('notFound')
    expect(host.requests).toBe(1)
    expect(didCache.metrics.snapshot().negativeHits).toBe(1)

    const flaky = host.answer('flaky', 503)
    expect((await agent.dids.resolve(flaky)).didResolutionMetadata.error).toBe('internalError')
    expect((await agent.dids.resolve(flaky)).didResolutionMetadata.error).toBe('internalError')
    expect(host.requests).toBe(3)
  })

  it('never stores a document under another DID, and discards a bad cached value', async () => {
    const { agent, didCache } = await instance()
    const impostor = host.serve('impostor', {
      '@context': ['https://www.w3.org/ns/did/v1'],
      id: 'did:web:evil.example',
    })
    expect((await agent.dids.resolve(impostor)).didDocument).toBeNull()
    expect((await agent.dids.resolve(impostor)).didDocument).toBeNull()
    expect(host.requests).toBe(2)

    const did = host.serve('honest')
    const redis = createRedisClient(target())
    await redis.set(
      `${prefix}shared:did:resolver:${did}`,
      JSON.stringify({ didDocument: { id: 'did:web:evil.example' } }),
    )
    redis.disconnect()
    const resolved = await agent.dids.resolve(did)
    expect(resolved.didDocument?.id).toBe(did)
    expect(resolved.didResolutionMetadata.servedFromCache).toBe(false)
    expect(didCache.metrics.snapshot().discarded).toBe(1)
  })

  it('reaches every instance’s LRU within a second when a DID is invalidated', async () => {
    const [a, b] = [await instance(), await instance()]
    const did = host.serve('rotating')
    await a.agent.dids.resolve(did)
    await b.agent.dids.resolve(did)
    const key = `did:resolver:${did}`
    expect(b.didCache.cache.hasLocal(contextFor('x'), key)).toBe(true)

    const started = Date.now()
    // What an operator's "key rotated" call does: Credo's own invalidation.
    await a.agent.dependencyManager.resolve(DidResolverService).invalidateCacheForDid(a.agent.context, did)
    while (b.didCache.cache.hasLocal(contextFor('x'), key) && Date.now() - started < 1_000) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    expect(b.didCache.cache.hasLocal(contextFor('x'), key)).toBe(false)
    expect(Date.now() - started).toBeLessThan(1_000)
    await b.agent.dids.resolve(did)
    expect(host.requests).toBe(2)
  })
})

describe.each(connections)('the Credo Cache contract on $name', ({ target }) => {
  let cache: RedisLruCache
  let prefix: string

  beforeEach(async () => {
    prefix = freshPrefix()
    cache = new RedisLruCache({ redis: target(), keyPrefix: prefix, logger: silent })
    await cache.waitUntilReady()
  })
  afterEach(async () => {
    await cache.close()
    await cleanUp(target(), prefix)
  })

  it('keeps non-DID keys per tenant and shares DID documents across tenants', async () => {
    const tenantA = contextFor('tenant-a')
    const tenantB = contextFor('tenant-b')
    await cache.set(tenantA, 'offer:123', { secret: 'a' })
    expect(await cache.get(tenantA, 'offer:123')).toEqual({ secret: 'a' })
    expect(await cache.get(tenantB, 'offer:123')).toBeNull()
    cache.clearLocal()
    expect(await cache.get(tenantB, 'offer:123')).toBeNull()
    await cache.remove(tenantB, 'offer:123')
    expect(await cache.get(tenantA, 'offer:123')).toEqual({ secret: 'a' })

    const value = { didDocument: { id: 'did:web:example.com' }, didResolutionMetadata: {}, didDocumentMetadata: {} }
    await cache.set(tenantA, 'did:resolver:did:web:example.com', value)
    cache.clearLocal()
    expect(await cache.get(tenantB, 'did:resolver:did:web:example.com')).toEqual(value)
  })

  it('honours the TTL Credo passes', async () => {
    const tenant = contextFor('tenant-ttl')
    await cache.set(tenant, 'short', 'lived', 1)
    const redis = createRedisClient(target())
    const ttl = await redis.ttl(`${prefix}ctx:tenant-ttl:short`)
    redis.disconnect()
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(1)
  })
})
