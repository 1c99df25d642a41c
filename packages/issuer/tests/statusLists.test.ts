import { randomBytes } from 'node:crypto'
import { inflateSync } from 'node:zlib'
import { publicKeyFromSelfDescribingDid } from '@attesto/protocol-kit/jose'
import { PostgresDatabase } from '@attesto/storage-service'
import { DATABASE_URL, startService } from '@attesto/testing'
import { decodeProtectedHeader, jwtVerify } from 'jose'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { loadStatusListConfig } from '../src/status/statusConfig.js'
import { HandWallet, parseOffer } from './support/HandWallet.js'
import { issuerPair } from './support/issuerFixture.js'

// Status lists on two issuer instances sharing one schema, one KMS master key and one public URL:
// every credential of a revocable configuration carries its own entry, the published token is
// checked with jose and zlib (not with the code that wrote it), and changes reach it within the
// update interval, signed once per interval.

type Service = Awaited<ReturnType<typeof startService<IssuerRuntime>>>

/** The status of entry `idx` in a token's list, read by hand (draft-ietf-oauth-status-list §4.1). */
function entryOf(lst: string, bits: number, idx: number): number {
  const bytes = inflateSync(Buffer.from(lst, 'base64url'))
  const perByte = 8 / bits
  const byte = bytes[Math.floor(idx / perByte)] as number
  return (byte >> ((idx % perByte) * bits)) & ((1 << bits) - 1)
}

const decodePayload = (jwt: string) =>
  // biome-ignore lint/suspicious/noExplicitAny: token payloads are inspected loosely in tests
  JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString()) as Record<string, any>

describe('status lists, two instances', () => {
  const env = {
    PUBLIC_BASE_URL: 'http://issuer.test',
    KMS_MASTER_KEY: randomBytes(32).toString('base64'),
    TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
    STATUS_LIST_SIZE: '1000',
    STATUS_LIST_UPDATE_INTERVAL_SECONDS: '1',
  }
  let a: Service
  let b: Service
  let key = ''
  let issuerId = ''
  let tenantId = ''
  const wallet = new HandWallet()
  const at = (service: Service, url: string) => url.replace('http://issuer.test', service.http.url)

  /** One credential through the OID4VCI endpoints of `service`: its offer id and SD-JWT payload. */
  async function issue(service: Service) {
    const created = await service.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'Ada' },
    })
    const offer = parseOffer(created.body.uri)
    const issuer = at(service, offer.credentialIssuer)
    const token = await wallet.redeem(issuer, offer.code)
    const nonce = await wallet.nonce(issuer)
    const answer = await wallet.credential(issuer, token.body.access_token, {
      credential_configuration_id: 'pass',
      proofs: { jwt: [wallet.proof(offer.credentialIssuer, nonce)] },
    })
    expect(answer.status).toBe(200)
    const sdJwt = answer.body.credentials[0].credential as string
    return { offerId: created.body.offerId as string, payload: decodePayload(sdJwt.split('~')[0] as string) }
  }

  async function fetchToken(service: Service, uri: string, headers: Record<string, string> = {}) {
    const response = await fetch(at(service, uri), { headers })
    return { status: response.status, headers: response.headers, jwt: await response.text() }
  }

  beforeAll(async () => {
    const create = (config: Parameters<typeof createIssuerApp>[0], logger: Parameters<typeof createIssuerApp>[1]) =>
      createIssuerApp(config, logger, undefined, undefined, loadStatusListConfig(env))
    ;({ a, b, key, issuerId } = await issuerPair(create, env, 'Transit'))
    tenantId = key.split('.')[1] as string
  })
  afterAll(async () => {
    await b?.close()
    await a?.close()
  })

  it('publishes a token that jose and zlib verify, and shows revocation and suspension within the interval', async () => {
    const signatures = () =>
      a.runtime.credentialStatus.publisher.signatures + b.runtime.credentialStatus.publisher.signatures
    expect(signatures()).toBe(0)
    const { offerId, payload } = await issue(a)
    // The list was signed when the credential's issuance opened it, not on a wallet's first fetch.
    expect(signatures()).toBe(1)
    const reference = payload.status.status_list as { idx: number; uri: string }
    expect(reference.uri).toMatch(new RegExp(`^http://issuer.test/oid4vci/${issuerId}/status-lists/s\\d+$`))
    expect((await a.call('GET', `/offers/${offerId}`, key)).body.credentialStatus).toMatchObject({ status: 'valid' })

    const first = await fetchToken(b, reference.uri)
    expect(first.status).toBe(200)
    expect(signatures()).toBe(1)
    expect(first.headers.get('content-type')).toContain('application/statuslist+jwt')
    expect(first.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/)
    const header = decodeProtectedHeader(first.jwt)
    expect(header.typ).toBe('statuslist+jwt')
    const issuerKey = publicKeyFromSelfDescribingDid(header.kid as string)
    const verified = await jwtVerify(first.jwt, issuerKey as never, { typ: 'statuslist+jwt' })
    expect(verified.payload).toMatchObject({ sub: reference.uri, ttl: 1 })
    expect(typeof verified.payload.iat).toBe('number')
    expect(verified.payload.exp).toBeGreaterThan(verified.payload.iat as number)
    const list = verified.payload.status_list as { bits: number; lst: string }
    expect(list.bits).toBe(2)
    expect(inflateSync(Buffer.from(list.lst, 'base64url'))).toHaveLength(250)
    expect(entryOf(list.lst, 2, reference.idx)).toBe(0)
    const etag = first.headers.get('etag') as string
    expect((await fetchToken(b, reference.uri, { 'if-none-match': etag })).status).toBe(304)

    // Another tenant cannot see or change the status.
    const other = (await a.call('POST', '/tenants', a.adminApiKey, { label: 'Other' })).body.apiKey as string
    expect((await b.call('POST', `/offers/${offerId}/status`, other, { status: 'revoked' })).status).toBe(404)

    const statusAfter = async (service: Service) => {
      const token = await fetchToken(service, reference.uri)
      return entryOf(decodePayload(token.jwt).status_list.lst, 2, reference.idx)
    }
    expect((await b.call('POST', `/offers/${offerId}/status`, key, { status: 'suspended' })).body).toMatchObject({
      status: 'suspended',
      changed: true,
    })
    await new Promise((resolve) => setTimeout(resolve, 2_100))
    expect(await statusAfter(a)).toBe(2)
    expect(await statusAfter(b)).toBe(2)
    expect((await a.call('POST', `/offers/${offerId}/status`, key, { status: 'valid' })).body.status).toBe('valid')
    expect((await a.call('POST', `/offers/${offerId}/status`, key, { status: 'revoked' })).body.status).toBe('revoked')
    const reinstate = await b.call('POST', `/offers/${offerId}/status`, key, { status: 'valid' })
    expect(reinstate).toMatchObject({ status: 409, body: { error: { code: 'credential_revoked' } } })
    await new Promise((resolve) => setTimeout(resolve, 2_100))
    expect(await statusAfter(b)).toBe(1)
    expect((await b.call('GET', `/offers/${offerId}`, key)).body.credentialStatus).toMatchObject({ status: 'revoked' })

    // The offer's own row expires; the credential's status is still reported.
    const admin = new PostgresDatabase({ connectionString: DATABASE_URL, maxConnections: 1 })
    await admin.query(
      `UPDATE "${a.schema}".records SET expires_at = now() WHERE record_type = 'IssuanceSession' AND id = $1`,
      [offerId],
    )
    await admin.close()
    expect((await a.call('GET', `/offers/${offerId}`, key)).body).toMatchObject({
      status: 'credential_issued',
      credentialStatus: { status: 'revoked' },
    })
  }, 60_000)

  it('signs a burst of changes once per interval, on one instance', async () => {
    const issued = await Promise.all([issue(a), issue(b), issue(a), issue(b), issue(a), issue(b)])
    const uri = issued[0]?.payload.status.status_list.uri as string
    await fetchToken(a, uri)
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    const before = a.runtime.credentialStatus.publisher.signatures + b.runtime.credentialStatus.publisher.signatures
    const burstStarted = Date.now()
    // Six changes and forty reads on both instances, within one interval unless the machine is slow.
    await Promise.all(
      issued.map(({ offerId }, index) =>
        (index % 2 ? a : b).call('POST', `/offers/${offerId}/status`, key, { status: 'revoked' }),
      ),
    )
    await Promise.all(Array.from({ length: 40 }, (_, index) => fetchToken(index % 2 ? a : b, uri)))
    const after = a.runtime.credentialStatus.publisher.signatures + b.runtime.credentialStatus.publisher.signatures
    // At most one signature per interval (1 s here) over the burst, however long it took.
    expect(after - before).toBeLessThanOrEqual(1 + Math.floor((Date.now() - burstStarted) / 1_000))
    await new Promise((resolve) => setTimeout(resolve, 2_100))
    const jwt = (await fetchToken(b, uri)).jwt
    for (const { payload } of issued) {
      if (payload.status.status_list.uri === uri) {
        expect(entryOf(decodePayload(jwt).status_list.lst, 2, payload.status.status_list.idx)).toBe(1)
      }
    }
  }, 60_000)

  it('gives 2,000 concurrent allocations on two instances distinct indices over several lists of 1,000', async () => {
    // 2,000 allocations at once, 64 in flight per instance (each instance's connection pool).
    const allocations: { listId: string; idx: number }[] = []
    let next = 0
    const lane = async (service: Service) => {
      while (next < 2_000) {
        next += 1
        allocations.push(await service.runtime.credentialStatus.lists.allocate(tenantId, issuerId, 2))
      }
    }
    await Promise.all(Array.from({ length: 128 }, (_, index) => lane(index % 2 ? a : b)))
    expect(allocations).toHaveLength(2_000)
    const http = await Promise.all(Array.from({ length: 20 }, (_, index) => issue(index % 2 ? a : b)))
    const httpEntries = http.map(({ payload }) => {
      const { uri, idx } = payload.status.status_list as { uri: string; idx: number }
      return { listId: uri.split('/').pop() as string, idx }
    })
    const all = [...allocations, ...httpEntries].map(({ listId, idx }) => `${listId}:${idx}`)
    expect(new Set(all).size).toBe(all.length)
    expect(new Set(allocations.map(({ listId }) => listId)).size).toBeGreaterThanOrEqual(2)
    for (const { idx } of allocations) expect(idx >= 0 && idx < 1000).toBe(true)
    // Each credential's index is its own: the one its status row records.
    for (const [index, { offerId }] of http.entries()) {
      const row = await a.runtime.credentialStatus.statuses.find(tenantId, offerId)
      expect(row && `${row.listId}:${row.idx}`).toBe(`${httpEntries[index]?.listId}:${httpEntries[index]?.idx}`)
    }
    // Not handed out in order.
    const firstList = allocations.filter(({ listId }) => listId === allocations[0]?.listId).map(({ idx }) => idx)
    expect(firstList.slice(0, 50)).not.toEqual([...firstList.slice(0, 50)].sort((x, y) => x - y))
  }, 120_000)
})
