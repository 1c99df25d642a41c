import { generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { encodeStatusList } from '@attesto/protocol-kit/status-list'
import { deleteKeys, REDIS_URL } from '@attesto/test-servers'
import type { AgentContext } from '@credo-ts/core'
import { RedisLruCache } from '../src/RedisLruCache.js'
import { StatusListInvalidError, StatusListUnavailableError } from '../src/StatusListError.js'
import { StatusListTokenResolver } from '../src/StatusListTokenResolver.js'

// Status list tokens served by a host on 127.0.0.1 that counts its requests, read through the
// resolver with the real Redis behind its LRU.

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
const context = { contextCorrelationId: 'test' } as AgentContext
const issuer = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' })

describe('StatusListTokenResolver', () => {
  let server: http.Server
  let base = ''
  let requests = 0
  let respond: (url: string, response: http.ServerResponse) => void
  let cache: RedisLruCache
  const prefix = `attesto-test:${randomBytes(4).toString('hex')}:`

  const token = (uri: string, overrides: object = {}, key = issuer.privateKey) => {
    const iat = Math.floor(Date.now() / 1000)
    const payload = {
      sub: uri,
      iat,
      exp: iat + 600,
      ttl: 60,
      status_list: {
        bits: 2,
        lst: encodeStatusList(64, 2, [
          [3, 1],
          [4, 2],
        ]),
      },
      ...overrides,
    }
    const input = `${part({ alg: 'ES256', typ: 'statuslist+jwt' })}.${part(payload)}`
    return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`
  }
  const resolver = (options: object = {}) =>
    new StatusListTokenResolver({ cache, allowInsecureHttp: true, allowLoopback: true, timeoutMillis: 500, ...options })

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      requests++
      respond(`${base}${request.url}`, response)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    cache = new RedisLruCache({ redis: REDIS_URL, keyPrefix: prefix, logger: { warn: () => {}, info: () => {} } })
    await cache.waitUntilReady()
  })
  beforeEach(() => {
    requests = 0
    respond = (url, response) => setTimeout(() => response.end(token(url)), 30)
  })
  afterAll(async () => {
    await deleteKeys(REDIS_URL, prefix)
    await cache.close()
    server.close()
  })

  it('reads entries, and coalesces 1,000 concurrent checks of an uncached list into one fetch', async () => {
    const statuses = resolver()
    const uri = `${base}/lists/a`
    const values = await Promise.all(
      Array.from({ length: 1_000 }, (_, index) => statuses.status(context, { idx: index % 8, uri }, issuer.publicKey)),
    )
    expect(requests).toBe(1)
    expect(statuses.fetches).toBe(1)
    expect(values.slice(0, 8)).toEqual([0, 0, 0, 1, 2, 0, 0, 0])
    // Another process finds it in Redis.
    const second = resolver()
    cache.clearLocal()
    expect(await second.status(context, { idx: 4, uri }, issuer.publicKey)).toBe(2)
    expect(requests).toBe(1)
  })

  it('refuses a token signed by another key, for another list, expired, or an index outside the list', async () => {
    const statuses = resolver()
    const refused = (uri: string, idx = 0, key = issuer.publicKey) =>
      statuses.status(context, { idx, uri }, key).then(
        () => undefined,
        (error: unknown) => error,
      )
    expect(await refused(`${base}/lists/b`, 0, other.publicKey)).toBeInstanceOf(StatusListInvalidError)
    respond = (_url, response) => response.end(token(`${base}/lists/elsewhere`))
    expect(await refused(`${base}/lists/c`)).toBeInstanceOf(StatusListInvalidError)
    respond = (url, response) => response.end(token(url, { exp: Math.floor(Date.now() / 1000) - 1 }))
    expect(await refused(`${base}/lists/d`)).toBeInstanceOf(StatusListInvalidError)
    respond = (url, response) => response.end(token(url))
    expect(await refused(`${base}/lists/e`, 64)).toBeInstanceOf(StatusListInvalidError)
  })

  it('gives up on a slow or oversized answer, and on a loopback address unless allowed', async () => {
    respond = () => {} // never answers
    const started = Date.now()
    const slow = await resolver()
      .status(context, { idx: 0, uri: `${base}/lists/slow` }, issuer.publicKey)
      .catch((error: unknown) => error)
    expect(slow).toBeInstanceOf(StatusListUnavailableError)
    expect(Date.now() - started).toBeLessThan(2_000)
    respond = (_url, response) => response.end('x'.repeat(5_000))
    const large = await resolver({ maxBytes: 1_000 })
      .status(context, { idx: 0, uri: `${base}/lists/large` }, issuer.publicKey)
      .catch((error: unknown) => error)
    expect(large).toBeInstanceOf(StatusListUnavailableError)
    requests = 0
    const guarded = await resolver({ allowLoopback: false })
      .status(context, { idx: 0, uri: `${base}/lists/guarded` }, issuer.publicKey)
      .catch((error: unknown) => error)
    expect(guarded).toBeInstanceOf(StatusListUnavailableError)
    expect(requests).toBe(0)
  })

  it('tries a busy issuer again (503, no answer in time), but not a 404 or a refused address', async () => {
    respond = (url, response) =>
      requests === 1 ? response.writeHead(503).end('<html>busy</html>') : response.end(token(url))
    expect(await resolver().status(context, { idx: 3, uri: `${base}/lists/busy` }, issuer.publicKey)).toBe(1)
    expect(requests).toBe(2)
    requests = 0
    respond = (url, response) => (requests === 1 ? undefined : response.end(token(url)))
    expect(await resolver().status(context, { idx: 4, uri: `${base}/lists/late` }, issuer.publicKey)).toBe(2)
    expect(requests).toBe(2)
    requests = 0
    respond = (_url, response) => response.writeHead(404).end()
    const missing = await resolver({ attempts: 3 })
      .status(context, { idx: 0, uri: `${base}/lists/missing` }, issuer.publicKey)
      .catch((error: unknown) => error)
    expect(missing).toMatchObject({ transient: false })
    expect(requests).toBe(1)
    requests = 0
    respond = (_url, response) => response.writeHead(503).end()
    const down = await resolver({ attempts: 3 })
      .status(context, { idx: 0, uri: `${base}/lists/down` }, issuer.publicKey)
      .catch((error: unknown) => error)
    expect(down).toBeInstanceOf(StatusListUnavailableError)
    expect(requests).toBe(3)
  })

  it('keeps a token for its ttl, then fetches it again', async () => {
    respond = (url, response) => response.end(token(url, { ttl: 1 }))
    const statuses = resolver()
    const uri = `${base}/lists/short`
    await statuses.status(context, { idx: 0, uri }, issuer.publicKey)
    await statuses.status(context, { idx: 0, uri }, issuer.publicKey)
    expect(requests).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 1_200))
    await statuses.status(context, { idx: 0, uri }, issuer.publicKey)
    expect(requests).toBe(2)
  })
})
