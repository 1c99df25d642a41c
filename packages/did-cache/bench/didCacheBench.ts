// DID resolutions per second through a real Credo agent, in one run:
//   npm run bench -w @attesto/did-cache        (after npm run build; needs Redis on 127.0.0.1:6379)
//
// - no cache: every resolution fetches from a local did:web host that adds 20 ms per request;
// - Credo's default cache (SingleContextStorageLruCache, 500 entries, kept in agent storage);
// - ours: cold (distinct uncached DIDs, same host), Redis hit (an instance whose LRU holds one
//   entry), LRU hit;
// - a skewed workload: Zipf(s = 1) over 10,000 DIDs, two instances sharing Redis.
import { randomBytes } from 'node:crypto'
import { deleteKeys, REDIS_URL } from '@attesto/test-servers'
import { type Agent, CacheModule, DidsModule, SingleContextStorageLruCache } from '@credo-ts/core'
import { DidWebHost } from '../tests/support/DidWebHost.js'
import { createResolvingAgent, createTestAgent, testResolvers } from '../tests/support/testAgent.js'

const CONCURRENCY = 32
const LATENCY_MILLIS = 20
const silent = { warn: () => {}, info: () => {} }

/** Resolves every DID in `dids` with CONCURRENCY in flight; returns resolutions per second. */
async function rate(agent: Agent, dids: string[]): Promise<number> {
  let next = 0
  const started = performance.now()
  const worker = async () => {
    for (let index = next++; index < dids.length; index = next++) {
      const result = await agent.dids.resolve(dids[index] as string)
      if (!result.didDocument) throw new Error(`${dids[index]} did not resolve`)
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  return dids.length / ((performance.now() - started) / 1000)
}

/** An agent on Credo's default cache; with `useCache` false, every resolution skips the cache. */
async function credoDefaultAgent(useCache: boolean) {
  const created = await createTestAgent({
    cache: new CacheModule({ cache: new SingleContextStorageLruCache({ limit: 500 }) }),
    dids: new DidsModule({ resolvers: testResolvers() }),
  })
  const resolve = created.agent.dids.resolve.bind(created.agent.dids)
  if (!useCache) {
    created.agent.dids.resolve = (did, options) => resolve(did, { ...options, useCache: false, persistInCache: false })
  }
  return created
}

function zipf(n: number, count: number): number[] {
  const weights = Array.from({ length: n }, (_, i) => 1 / (i + 1))
  const total = weights.reduce((a, b) => a + b, 0)
  const cumulative: number[] = []
  let sum = 0
  for (const weight of weights) {
    sum += weight / total
    cumulative.push(sum)
  }
  return Array.from({ length: count }, () => {
    const u = Math.random()
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((cumulative[mid] as number) < u) lo = mid + 1
      else hi = mid
    }
    return lo
  })
}

async function main() {
  const host = await new DidWebHost({ delayMillis: LATENCY_MILLIS }).start()
  const prefix = `attesto-bench:${randomBytes(4).toString('hex')}:`
  const names = (label: string, n: number) => Array.from({ length: n }, (_, i) => host.serve(`${label}-${i}`))
  const rows: [string, number][] = []

  const none = await credoDefaultAgent(false)
  rows.push(['no cache (did:web host, +20 ms)', await rate(none.agent, names('none', 320))])
  await none.close()

  const credo = await credoDefaultAgent(true)
  const credoDids = names('credo', 400)
  await rate(credo.agent, credoDids)
  rows.push(["Credo's default cache, hit", await rate(credo.agent, [...credoDids, ...credoDids, ...credoDids])])
  await credo.close()

  const a = await createResolvingAgent({ redis: REDIS_URL, keyPrefix: prefix, logger: silent })
  const b = await createResolvingAgent({ redis: REDIS_URL, keyPrefix: prefix, logger: silent, lruMaxEntries: 1 })
  const ours = names('ours', 1000)
  rows.push(['ours, cold (did:web host, +20 ms)', await rate(a.agent, ours)])
  rows.push(['ours, Redis hit', await rate(b.agent, [...ours, ...ours])])
  rows.push(['ours, LRU hit', await rate(a.agent, [...ours, ...ours, ...ours])])

  console.log(`DID resolutions/s through a Credo agent, ${CONCURRENCY} in flight\n`)
  const baseline = rows[0]?.[1] ?? 1
  console.log('scenario                              resolutions/s   vs no cache')
  for (const [name, perSecond] of rows) {
    console.log(
      `${name.padEnd(37)} ${perSecond.toFixed(0).padStart(13)} ${(perSecond / baseline).toFixed(1).padStart(12)}x`,
    )
  }

  // Skewed workload: 20,000 resolutions, Zipf(1) over 10,000 DIDs, alternating two instances.
  const population = names('zipf', 10_000)
  const draws = zipf(population.length, 20_000).map((index) => population[index] as string)
  a.didCache.metrics.reset()
  const before = host.requests
  const half = (parity: number) => draws.filter((_, i) => i % 2 === parity)
  const c = await createResolvingAgent({ redis: REDIS_URL, keyPrefix: prefix, logger: silent })
  const started = performance.now()
  await Promise.all([rate(a.agent, half(0)), rate(c.agent, half(1))])
  const seconds = (performance.now() - started) / 1000
  const [ma, mc] = [a.didCache.metrics.snapshot(), c.didCache.metrics.snapshot()]
  const resolutions = draws.length
  const fetches = host.requests - before
  const share = (count: number) => `${((count / resolutions) * 100).toFixed(1).padStart(5)}%`
  console.log(
    `\nZipf(1) over 10,000 DIDs: ${resolutions} resolutions on two instances sharing Redis, ${(resolutions / seconds).toFixed(0)}/s`,
  )
  console.log(`  served from the LRU             ${share(ma.lruHits + mc.lruHits)}`)
  console.log(`  served from Redis               ${share(ma.redisHits + mc.redisHits)}`)
  console.log(
    `  joined a resolution in flight   ${share(ma.coalesced + mc.coalesced + ma.remoteWaits + mc.remoteWaits)}`,
  )
  console.log(`  fetched from the did:web host   ${share(fetches)}`)
  console.log(`  hit ratio (not fetched)         ${(1 - fetches / resolutions).toFixed(3)}`)

  await Promise.all([a.close(), b.close(), c.close()])
  await host.stop()
  await deleteKeys(REDIS_URL, prefix)
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
