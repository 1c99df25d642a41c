// Status checks of the verifier (draft-ietf-oauth-status-list), in one process:
//   npm run bench -w @attesto/verifier    (after npm run build)
//   node packages/verifier/dist/bench/statusCheckBench.js    (this one alone)
//
// A status list of 2^17 entries (2 bits, about one in thirty set at random), signed ES256, served on 127.0.0.1.
// The verifier's resolver (the DID cache: in-process LRU, then Redis) reads one entry per check:
// - LRU hit: the token in the process (its signature and list decoded once);
// - Redis hit: the in-process LRU emptied before every check (Redis at 127.0.0.1:6379);
// - miss: every check on a list it has never seen (fetch, signature, decompression);
// - coalescing: 1,000 concurrent checks on one list not yet cached, and the fetches they cost.
import { generateKeyPairSync, randomBytes, randomInt, sign } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { RedisLruCache, StatusListTokenResolver } from '@attesto/did-cache'
import { REDIS_URL } from '@attesto/testing'
import type { AgentContext } from '@credo-ts/core'
import { StatusList } from '@sd-jwt/jwt-status-list'

const SIZE = 131_072
const HITS = Number(process.env.BENCH_STATUS_HITS ?? 100_000)
const MISSES = Number(process.env.BENCH_STATUS_MISSES ?? 300)
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')

const list = new StatusList(new Array<number>(SIZE).fill(0), 2)
for (let set = 0; set < SIZE / 30; set++) list.setStatus(randomInt(SIZE), 1 + randomInt(2))
const lst = list.compressStatusList()
const tokenFor = (uri: string) => {
  const iat = Math.floor(Date.now() / 1000)
  const input = `${part({ alg: 'ES256', typ: 'statuslist+jwt' })}.${part({ sub: uri, iat, exp: iat + 3600, ttl: 300, status_list: { bits: 2, lst } })}`
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`
}
const server = http.createServer((request, response) => {
  response.setHeader('content-type', 'application/statuslist+jwt')
  response.end(tokenFor(`${base}${request.url}`))
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

const cache = new RedisLruCache({ redis: REDIS_URL, keyPrefix: `bench${randomBytes(4).toString('hex')}:` })
await cache.waitUntilReady()
const resolver = new StatusListTokenResolver({ cache, allowInsecureHttp: true, allowLoopback: true })
const context = { contextCorrelationId: 'bench' } as AgentContext

async function perSecond(count: number, check: (index: number) => Promise<unknown>, inFlight = 100): Promise<number> {
  const started = performance.now()
  for (let index = 0; index < count; index += inFlight) {
    await Promise.all(Array.from({ length: Math.min(inFlight, count - index) }, (_, k) => check(index + k)))
  }
  return count / ((performance.now() - started) / 1000)
}

try {
  const uri = `${base}/lists/1`
  await resolver.status(context, { idx: 0, uri }, publicKey)
  console.log(`Verifier status checks (list of ${SIZE} entries, token ${tokenFor(uri).length} bytes, 100 in flight)`)
  const lru = await perSecond(HITS, (index) => resolver.status(context, { idx: index % SIZE, uri }, publicKey))
  console.log(`  cache hit (in-process LRU): ${lru.toFixed(0)} checks/s`)
  const redis = await perSecond(HITS / 10, (index) => {
    cache.clearLocal()
    resolver.clearLocal()
    return resolver.status(context, { idx: index % SIZE, uri }, publicKey)
  })
  console.log(`  cache hit (Redis, LRU emptied before each): ${redis.toFixed(0)} checks/s`)
  const miss = await perSecond(
    MISSES,
    (index) => resolver.status(context, { idx: 7, uri: `${base}/miss/${index}` }, publicKey),
    4,
  )
  console.log(`  cache miss (fetch, verify, decompress; 4 in flight): ${miss.toFixed(0)} checks/s`)
  const fetchesBefore = resolver.fetches
  await Promise.all(
    Array.from({ length: 1_000 }, (_, index) =>
      resolver.status(context, { idx: index, uri: `${base}/cold` }, publicKey),
    ),
  )
  console.log(`  1,000 concurrent checks on one uncached list: ${resolver.fetches - fetchesBefore} fetch`)
} finally {
  await cache.close()
  server.close()
}
