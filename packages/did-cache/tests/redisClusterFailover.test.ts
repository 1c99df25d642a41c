import { randomBytes } from 'node:crypto'
import { describeWithRedisCluster, OwnRedisCluster } from '@attesto/test-servers'
import { RedisLruCache } from '../src/RedisLruCache.js'
import { contextFor } from './support/testAgent.js'

// Two cache instances on a Redis Cluster of the test's own (three primaries, three replicas,
// cluster-node-timeout 1 s), reading and writing all along, while the primary that holds a
// subscriber connection (or, if none does, any primary) is SIGKILLed. Its replica takes over:
// both instances use Redis again without a restart, and an invalidation still reaches the
// other instance. Under CI=true a missing redis-server fails the run.

const silent = { warn: () => {}, info: () => {} }
const tenant = contextFor('tenant-failover')
const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

describeWithRedisCluster('DID cache through a Redis Cluster failover', () => {
  const cluster = new OwnRedisCluster()
  const prefix = `attesto-failover:${randomBytes(4).toString('hex')}:`
  let a: RedisLruCache
  let b: RedisLruCache

  beforeAll(async () => {
    await cluster.start()
    a = new RedisLruCache({ redis: cluster.target, keyPrefix: prefix, logger: silent })
    b = new RedisLruCache({ redis: cluster.target, keyPrefix: prefix, logger: silent })
    await Promise.all([a.waitUntilReady(), b.waitUntilReady()])
  }, 60_000)
  afterAll(async () => {
    await a?.close()
    await b?.close()
    await cluster.stop()
  })

  /** Whether `b` reads from Redis what `a` has just written there under `key`. */
  async function sharedThroughRedis(key: string, value: string): Promise<boolean> {
    await a.set(tenant, key, value, 60)
    b.clearLocal()
    return (await b.get(tenant, key)) === value
  }

  /** A key of this test whose slot the primary on `port` serves. */
  async function keyServedBy(port: number): Promise<string> {
    for (let index = 0; ; index++) {
      if ((await cluster.primaryPortOf(a.keyFor(tenant, `entry:${index}`))) === port) return `entry:${index}`
    }
  }

  it('serves reads and writes again within seconds, and invalidations still reach the other instance', async () => {
    const primaries = await cluster.primaryPorts()
    const subscribed = await cluster.subscriberPorts()
    const victim = primaries.find((port) => subscribed.includes(port)) ?? (primaries[0] as number)
    const key = await keyServedBy(victim)
    expect(await sharedThroughRedis(key, 'before')).toBe(true)

    // Traffic on every shard while the primary dies: writes by a, reads by b.
    let stop = false
    const outcomes = { served: 0, missed: 0 }
    const traffic = (async () => {
      for (let round = 0; !stop; round++) {
        const entry = `load:${round % 50}`
        await a.set(tenant, entry, `value-${round}`, 60)
        b.clearLocal()
        const read = await b.get(tenant, entry)
        outcomes[read === `value-${round}` ? 'served' : 'missed']++
        await sleep(5)
      }
    })()

    let killed = 0
    try {
      await sleep(300)
      await cluster.kill(victim)
      killed = Date.now()
      let round = 0
      while (!(await sharedThroughRedis(key, `after-${round}`))) {
        if (Date.now() > killed + 30_000) throw new Error('the cache did not use the cluster again')
        round++
        await sleep(50)
      }
    } finally {
      stop = true
      await traffic
    }
    const recoveredMillis = Date.now() - killed
    await cluster.waitUntilHealthy()

    // An invalidation after the failover: b holds the entry in its LRU, a removes it.
    const did = 'did:web:rotated.example'
    const value = { didDocument: { id: did }, didResolutionMetadata: {}, didDocumentMetadata: {} }
    await a.set(tenant, `did:resolver:${did}`, value, 60)
    b.clearLocal()
    expect(await b.get(tenant, `did:resolver:${did}`)).toEqual(value)
    expect(b.hasLocal(tenant, `did:resolver:${did}`)).toBe(true)
    const removed = Date.now()
    await a.remove(tenant, `did:resolver:${did}`)
    while (b.hasLocal(tenant, `did:resolver:${did}`) && Date.now() - removed < 5_000) await sleep(5)
    expect(b.hasLocal(tenant, `did:resolver:${did}`)).toBe(false)

    expect(outcomes.served).toBeGreaterThan(0)
    console.info(
      JSON.stringify({
        failover: { killedPort: victim, subscriberOnVictim: subscribed.includes(victim), recoveredMillis },
        invalidationMillis: Date.now() - removed,
        traffic: outcomes,
      }),
    )
  }, 90_000)
})
