import { createRedisClient } from '@attesto/did-cache'
import { describeWithRedisCluster, OwnRedisCluster } from '@attesto/test-servers'
import { loadRuntimeConfig } from '../src/config/runtimeConfig.js'
import { EdgeRateLimits } from '../src/edge/rateLimits.js'
import { type HttpServer, startHttpServer } from '../src/http/startHttpServer.js'
import { nonceEndpointApp } from './support/nonceEndpointApp.js'
import { silentLogger } from './support/silentLogger.js'

// Two instances' edge rate limits on one Redis Cluster of the test's own (three primaries,
// three replicas, cluster-node-timeout 1 s): they count into the same buckets, and when the
// primary holding a bucket is SIGKILLed, they count in memory until its replica takes over, then
// in the cluster again, without a restart. Under CI=true a missing redis-server fails the run.

describeWithRedisCluster('edge rate limits on a Redis Cluster', () => {
  const cluster = new OwnRedisCluster()
  const prefix = `edge${Date.now().toString(36)}`
  const limits: EdgeRateLimits[] = []
  const servers: HttpServer[] = []

  beforeAll(async () => {
    await cluster.start()
    const config = loadRuntimeConfig({
      ROLE: 'issuer',
      PROTOCOL_REQUESTS_PER_MINUTE_PER_ADDRESS: '4',
      TRUST_PROXY_HOPS: '1',
    })
    for (let instance = 0; instance < 2; instance++) {
      const rateLimits = new EdgeRateLimits({ limits: config.edge.rateLimits, redis: cluster.target, prefix })
      limits.push(rateLimits)
      const app = nonceEndpointApp(config.edge, rateLimits)
      servers.push(await startHttpServer(app, { port: 0, logger: silentLogger, handleSignals: false }))
    }
    // A cluster client is ready once it has the slot map; until then each instance counts alone.
    while (!limits.every((rateLimits) => rateLimits.redisAvailable)) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }, 60_000)
  afterAll(async () => {
    for (const rateLimits of limits) rateLimits.close()
    await Promise.all(servers.map((server) => server.shutdown()))
    await cluster.stop()
  })

  /** `count` nonce requests from `address`, alternating between the two instances. */
  async function alternate(address: string, count: number): Promise<number[]> {
    const statuses: number[] = []
    for (let index = 0; index < count; index++) {
      const server = servers[index % 2] as HttpServer
      const response = await fetch(`${server.url}/oid4vci/i/nonce`, {
        method: 'POST',
        headers: { 'x-forwarded-for': address },
      })
      statuses.push(response.status)
    }
    return statuses
  }
  const bucketKey = (address: string) => `${prefix}:rate:protocol:${address}`
  const shared = [200, 200, 200, 200, 429]

  it('shares buckets between instances, and again after the bucket’s primary fails over', async () => {
    expect(await alternate('10.0.0.1', 6)).toEqual([...shared, 429])
    const victim = await cluster.primaryPortOf(bucketKey('10.0.0.1'))
    // Fresh addresses whose buckets live on the same primary, to probe after it dies.
    const probes: string[] = []
    for (let index = 1; probes.length < 40; index++) {
      if ((await cluster.primaryPortOf(bucketKey(`10.0.1.${index}`))) === victim) probes.push(`10.0.1.${index}`)
    }

    await cluster.kill(victim)
    const killed = Date.now()
    let statuses: number[] = []
    let inMemory = 0
    for (const address of probes) {
      statuses = await alternate(address, 5)
      if (statuses.join() === shared.join()) break
      // Meanwhile each instance counts alone: the fifth request is not refused.
      expect(statuses).toEqual([200, 200, 200, 200, 200])
      inMemory++
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    const recoveredMillis = Date.now() - killed
    expect(statuses).toEqual(shared)
    const redis = createRedisClient(cluster.target)
    const address = probes[inMemory] as string
    expect(Number(await redis.get(bucketKey(address)))).toBe(5)
    redis.disconnect()
    console.info(JSON.stringify({ failover: { killedPort: victim, recoveredMillis, probesCountedInMemory: inMemory } }))
  }, 90_000)
})
