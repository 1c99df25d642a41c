import { randomBytes } from 'node:crypto'
import {
  CARD_QUERY,
  type FuzzedEndpoint,
  fuzzEndpoints,
  REDIS_URL,
  startService,
  tenantWithVerifier,
  webhookEndpoints,
} from '@attesto/testing'
import { HandBuiltWallet, postForm, type RequestObject } from '@attesto/testing/wallets'
import fc from 'fast-check'
import { createVerifierApp, type VerifierRuntime } from '../src/app.js'
import { encryptWithJose, listedKey } from './support/encryptedResponses.js'

const FRONTEND = 'https://bank.example/verify/done'
const [CARD] = CARD_QUERY.credentials

// Every endpoint of the verifier, REST and OID4VP, with fuzzed bodies, path parameters, query
// strings and headers (fast-check, fixed seed): no answer is a 5xx; and the DCQL shapes that
// used to be 500s are 400s. Real PostgreSQL and Redis.

describe('verifier fuzz', () => {
  let service: Awaited<ReturnType<typeof startService<VerifierRuntime>>>
  let key = ''
  let verifierId = ''
  let requestId = ''
  /** A request that offers request_uri_method=post. */
  let postRequestId = ''
  let sameDeviceRequestId = ''
  /** A direct_post.jwt request (its own response key) and a JWE to that key. */
  let encrypted: RequestObject
  let jwe = ''

  beforeAll(async () => {
    service = await startService('verifier', createVerifierApp, {
      REDIS_URL,
      QUEUE_PREFIX: `test${randomBytes(4).toString('hex')}`,
    })
    ;({ key, verifierId } = await tenantWithVerifier(service, 'Fuzz'))
    requestId = (
      await service.call('POST', '/presentation-requests', key, {
        verifierId,
        dcql: { query: CARD_QUERY },
        responseMode: 'direct_post',
      })
    ).body.requestId
    postRequestId = (
      await service.call('POST', '/presentation-requests', key, {
        verifierId,
        dcql: { query: CARD_QUERY },
        requestUriMethod: 'post',
      })
    ).body.requestId
    await service.call('PUT', `/verifiers/${verifierId}/redirect-uris`, key, { redirectUris: [FRONTEND] })
    sameDeviceRequestId = (
      await service.call('POST', '/presentation-requests', key, {
        verifierId,
        dcql: { query: CARD_QUERY },
        flow: 'same_device',
      })
    ).body.requestId
    const uri = (await service.call('POST', '/presentation-requests', key, { verifierId, dcql: { query: CARD_QUERY } }))
      .body.uri
    encrypted = await new HandBuiltWallet().fetchRequest(uri)
    jwe = await encryptWithJose(listedKey(encrypted), { state: encrypted.payload.state, vp_token: { card: ['x~'] } })
  }, 60_000)
  afterAll(async () => {
    await service?.close()
  })

  it('answers DCQL nested 2,000 levels, a constructor key and NULs with 400', async () => {
    const post = (body: unknown) => service.call('POST', '/presentation-requests', key, body)
    let nested: unknown = { path: ['name'] }
    for (let level = 0; level < 2_000; level++) nested = { claims: [nested] }
    const deep = await post({
      verifierId,
      dcql: { query: { credentials: [{ ...CARD_QUERY.credentials[0], ...(nested as object) }] } },
    })
    expect([deep.status, deep.body.error.code]).toEqual([400, 'input_too_deep'])
    for (const dcql of [
      { query: { constructor: {}, credentials: CARD_QUERY.credentials } },
      { query: { credentials: [{ ...CARD_QUERY.credentials[0], id: 'constructor' }] } },
      { query: { credentials: [{ ...CARD_QUERY.credentials[0], claims: [{ path: ['constructor'] }] }] } },
      { query: { credentials: [{ ...CARD_QUERY.credentials[0], meta: { constructor: 1 } }] } },
      { query: { credentials: CARD_QUERY.credentials, credential_sets: [{ options: [['constructor']] }] } },
    ]) {
      const answer = await post({ verifierId, dcql })
      expect(answer.status).toBeLessThan(500)
    }
    const nul = await post({
      verifierId,
      dcql: { query: { credentials: [{ ...CARD_QUERY.credentials[0], id: 'a\u0000' }] } },
    })
    expect([nul.status, nul.body.error.code]).toEqual([400, 'invalid_string'])
    const label = await service.call('PUT', '/trusted-issuers/did%3Ajwk%3Ax', key, { label: 'a\u0000' })
    expect([label.status, label.body.error.code]).toEqual([400, 'invalid_string'])
  })

  it('refuses __proto__, constructor and prototype keys at any depth with 400 reserved_key, storing nothing', async () => {
    const [card] = CARD_QUERY.credentials
    const queries = [
      { credentials: CARD_QUERY.credentials, constructor: { prototype: { polluted: 'yes' } } },
      { credentials: CARD_QUERY.credentials, constructor: 'x' },
      { credentials: [{ ...card, meta: { ...card?.meta, prototype: 1 } }] },
      JSON.parse(`{"credentials":${JSON.stringify(CARD_QUERY.credentials)},"__proto__":{"polluted":"yes"}}`),
    ]
    for (const [index, query] of queries.entries()) {
      const put = await service.call('PUT', `/presentation-templates/polluted-${index}`, key, { dcql: { query } })
      expect([put.status, put.body.error?.code]).toEqual([400, 'reserved_key'])
      expect((await service.call('GET', `/presentation-templates/polluted-${index}`, key)).status).toBe(404)
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('answers no fuzzed wallet_metadata or wallet_nonce posted to the request URI with a 5xx', async () => {
    const url = `${service.http.url}/oid4vp/${verifierId}/authorization-requests/${postRequestId}`
    const metadata = fc.oneof(
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc
        .record(
          {
            issuer: fc.oneof(fc.webUrl(), fc.string()),
            vp_formats_supported: fc.jsonValue(),
            client_id_prefixes_supported: fc.oneof(fc.array(fc.string()), fc.jsonValue()),
            request_object_signing_alg_values_supported: fc.array(fc.constantFrom('ES256', 'EdDSA', '', '\u0000')),
            authorization_encryption_enc_values_supported: fc.jsonValue(),
          },
          { requiredKeys: [] },
        )
        .map((value) => JSON.stringify(value)),
      fc.string({ maxLength: 40 }),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.option(metadata),
        fc.option(fc.string({ unit: 'binary', maxLength: 300 })),
        async (walletMetadata, nonce) => {
          const form = new URLSearchParams()
          if (walletMetadata !== null) form.set('wallet_metadata', walletMetadata)
          if (nonce !== null) form.set('wallet_nonce', nonce)
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: form.toString(),
          })
          expect(response.status).toBeLessThan(500)
          if (response.status !== 200) expect(((await response.json()) as { error: string }).error).toBeDefined()
          else await response.text()
        },
      ),
      { numRuns: 150, seed: 20261205 },
    )
  }, 120_000)

  it('answers no fuzzed request with a 5xx', async () => {
    const bearer = `Bearer ${key}`
    const admin = `Bearer ${service.adminApiKey}`
    const values = {
      verifierId,
      requestId,
      did: 'did:jwk:x',
      templateId: 't',
      anchorId: 'root',
      webhookId: requestId,
      deliveryId: requestId,
    }
    const sameDevice = { ...values, requestId: sameDeviceRequestId }
    const endpoints: FuzzedEndpoint[] = [
      { method: 'POST', path: '/tenants', bearer: admin, example: { label: 'x' } },
      { method: 'GET', path: '/admin/queues', bearer: admin },
      { method: 'POST', path: '/verifiers', bearer, example: {} },
      { method: 'GET', path: '/verifiers/:verifierId', bearer, values },
      { method: 'GET', path: '/trusted-issuers', bearer },
      { method: 'PUT', path: '/trusted-issuers/:did', bearer, values, example: { label: 'x' } },
      { method: 'DELETE', path: '/trusted-issuers/:did', bearer, values },
      { method: 'GET', path: '/trust-anchors', bearer },
      {
        method: 'PUT',
        path: '/trust-anchors/:anchorId',
        bearer,
        values,
        example: { certificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', label: 'x' },
      },
      { method: 'GET', path: '/trust-anchors/:anchorId', bearer, values },
      { method: 'DELETE', path: '/trust-anchors/:anchorId', bearer, values },
      {
        method: 'PUT',
        path: '/presentation-templates/:templateId',
        bearer,
        values,
        example: { dcql: { query: CARD_QUERY } },
      },
      { method: 'GET', path: '/presentation-templates', bearer },
      { method: 'GET', path: '/presentation-templates/:templateId', bearer, values },
      { method: 'DELETE', path: '/presentation-templates/:templateId', bearer, values },
      { method: 'POST', path: '/presentation-requests', bearer, example: { verifierId, dcql: { query: CARD_QUERY } } },
      {
        method: 'POST',
        path: '/presentation-requests',
        bearer,
        example: { verifierId, dcql: { query: CARD_QUERY }, flow: 'same_device', redirectUri: FRONTEND },
      },
      {
        method: 'PUT',
        path: '/presentation-templates/:templateId',
        bearer,
        values,
        example: {
          dcql: {
            query: {
              credentials: [
                { ...CARD, trusted_authorities: [{ type: 'aki', values: ['s9tIpPmhxdiuNkHMEWNpYim8S8Y'] }] },
              ],
            },
          },
        },
      },
      { method: 'GET', path: '/presentation-requests/:requestId', bearer, values },
      { method: 'GET', path: '/presentation-requests/:requestId', bearer, values: sameDevice },
      {
        method: 'POST',
        path: '/presentation-requests/:requestId/result',
        bearer,
        values: sameDevice,
        example: { responseCode: 'Xq3vbQ0pJ7mW1sK9yT4uR2eL8oN6aZ5cV0dF3gH1iJk' },
      },
      {
        method: 'PUT',
        path: '/verifiers/:verifierId/redirect-uris',
        bearer,
        values,
        example: { redirectUris: [FRONTEND, 'http://localhost:5173/done'] },
      },
      { method: 'GET', path: '/verifiers/:verifierId/redirect-uris', bearer, values },
      ...webhookEndpoints(bearer, values, 'presentation.verified'),
      { method: 'GET', path: '/oid4vp/:verifierId/authorization-requests/:requestId', values },
      {
        method: 'POST',
        path: '/oid4vp/:verifierId/authorization-requests/:requestId',
        values: { ...values, requestId: postRequestId },
        example: { wallet_nonce: 'n', wallet_metadata: '{}' },
      },
      { method: 'POST', path: '/oid4vp/:verifierId/authorize', values, example: { state: requestId, vp_token: {} } },
      {
        method: 'POST',
        path: '/oid4vp/:verifierId/authorize',
        values: sameDevice,
        example: { state: sameDeviceRequestId, error: 'access_denied', error_description: 'declined' },
      },
      { method: 'POST', path: '/oid4vp/:verifierId/authorize', values, example: { response: jwe } },
    ]
    const failures = await fuzzEndpoints(service.http.url, endpoints, 40)
    expect(failures).toEqual([])
  }, 120_000)

  it('answers no fuzzed response JWE (header, kid, key, parts) with a 5xx', async () => {
    const [header, ...parts] = jwe.split('.') as [string, ...string[]]
    const decoded = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>
    const value = fc.oneof(
      fc.constantFrom(requestId, encrypted.payload.state, `${requestId}x`, '', 'x'.repeat(200), '\u0000', '__proto__'),
      fc.string({ maxLength: 20 }),
      fc.integer(),
      fc.constant(null),
      fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
    )
    const jwes = fc.oneof(
      // One header parameter changed (kid, alg, enc, epk, apu, apv, crit, zip, …).
      fc
        .tuple(fc.constantFrom('kid', 'alg', 'enc', 'epk', 'apu', 'apv', 'crit', 'zip', 'x5u'), value)
        .map(([name, changed]) => {
          const encoded = Buffer.from(JSON.stringify({ ...decoded, [name]: changed })).toString('base64url')
          return [encoded, ...parts].join('.')
        }),
      // One part replaced.
      fc.tuple(fc.integer({ min: 0, max: 4 }), fc.string({ maxLength: 60 })).map(([index, replaced]) => {
        const all = [header, ...parts]
        all[index] = replaced
        return all.join('.')
      }),
      fc.string({ maxLength: 200 }),
    )
    const statuses: number[] = []
    await fc.assert(
      fc.asyncProperty(jwes, async (response) => {
        const { status } = await postForm(encrypted.payload.response_uri, { response })
        statuses.push(status)
        expect(status).toBeLessThan(500)
      }),
      { numRuns: 150, seed: 42 },
    )
    expect(statuses.filter((status) => status === 400).length).toBeGreaterThan(100)
  }, 120_000)
})
