import { DevelopmentCa } from '@attesto/protocol-kit'
import { type FuzzedEndpoint, fuzzEndpoints, startService, tenantWithVerifier } from '@attesto/testing'
import {
  Auth0MdocWallet,
  certifiedIssuer,
  HandBuiltWallet,
  handoverOf,
  MDL_DOCTYPE,
  MDL_NAMESPACE,
  postForm,
  type RequestObject,
} from '@attesto/testing/wallets'
import { cborEncode } from '@auth0/mdl/lib/cbor/index.js'
import fc from 'fast-check'
import { createVerifierApp, type VerifierRuntime } from '../src/app.js'

// mso_mdoc queries and mdoc vp_tokens, fuzzed (fast-check, fixed seeds): malformed mdoc queries
// are 400s naming the problem, and no query, no DeviceResponse (random bytes, random CBOR, a real
// one with bytes flipped or cut) is answered with a 5xx. Real PostgreSQL.

const LICENCE = {
  id: 'licence',
  format: 'mso_mdoc',
  meta: { doctype_value: MDL_DOCTYPE },
  claims: [{ path: [MDL_NAMESPACE, 'family_name'], intent_to_retain: true }],
}
const QUERY = { credentials: [LICENCE] }

describe('verifier fuzz: mdoc', () => {
  let service: Awaited<ReturnType<typeof startService<VerifierRuntime>>>
  let key = ''
  let verifierId = ''
  let request: RequestObject
  let honest: Buffer

  beforeAll(async () => {
    service = await startService('verifier', createVerifierApp)
    ;({ key, verifierId } = await tenantWithVerifier(service, 'Fuzz'))
    const iaca = await DevelopmentCa.create({ name: 'Road Authority', country: 'NL' })
    await service.call('PUT', '/trust-anchors/iaca', key, { certificate: iaca.rootBase64() })
    const created = await service.call('POST', '/presentation-requests', key, {
      verifierId,
      dcql: { query: QUERY },
      responseMode: 'direct_post',
    })
    request = await new HandBuiltWallet().fetchRequest(created.body.uri)
    const wallet = new Auth0MdocWallet(await certifiedIssuer(iaca))
    const issued = await wallet.issue({ [MDL_NAMESPACE]: { family_name: 'Mustermann', age_over_18: true } })
    honest = Buffer.from(
      await wallet.present(issued, { [MDL_NAMESPACE]: ['family_name'] }, handoverOf(request)),
      'base64url',
    )
  }, 60_000)
  afterAll(async () => {
    await service?.close()
  })

  it('refuses malformed mso_mdoc queries with 400, naming the problem', async () => {
    const post = (credential: object) =>
      service.call('POST', '/presentation-requests', key, {
        verifierId,
        dcql: { query: { credentials: [credential] } },
      })
    const cases: [object, RegExp][] = [
      [{ ...LICENCE, meta: {} }, /doctype_value/],
      [{ ...LICENCE, meta: { vct_values: ['x'] } }, /doctype_value/],
      [{ ...LICENCE, claims: [{ path: [MDL_NAMESPACE] }] }, /\[namespace, data element identifier\]/],
      [{ ...LICENCE, claims: [{ path: [MDL_NAMESPACE, 'a', 'b'] }] }, /\[namespace, data element identifier\]/],
      [{ ...LICENCE, claims: [{ path: [MDL_NAMESPACE, 0] }] }, /claims/],
      [{ ...LICENCE, claims: [{ path: [MDL_NAMESPACE, 'a'], intent_to_retain: 'yes' }] }, /intent_to_retain/],
      [{ ...LICENCE, format: 'mso_mdocx' }, /format must be 'dc\+sd-jwt' \(SD-JWT VC\) or 'mso_mdoc'/],
    ]
    for (const [credential, message] of cases) {
      const answer = await post(credential)
      expect([answer.status, answer.body.error.code]).toEqual([400, 'invalid_request'])
      expect(answer.body.error.message).toMatch(message)
    }
    const template = await service.call('PUT', '/presentation-templates/licence', key, { dcql: { query: QUERY } })
    expect([template.status, template.body.dcql]).toEqual([200, { query: QUERY }])
  })

  it('answers no fuzzed mdoc query or template with a 5xx', async () => {
    const bearer = `Bearer ${key}`
    const endpoints: FuzzedEndpoint[] = [
      { method: 'POST', path: '/presentation-requests', bearer, example: { verifierId, dcql: { query: QUERY } } },
      {
        method: 'PUT',
        path: '/presentation-templates/:templateId',
        bearer,
        values: { templateId: 'm' },
        example: { dcql: { query: QUERY } },
      },
    ]
    expect(await fuzzEndpoints(service.http.url, endpoints, 60)).toEqual([])
  }, 120_000)

  it('answers no fuzzed DeviceResponse (random, random CBOR, flipped or cut) with a 5xx', async () => {
    const entries = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
      fc.jsonValue().map((value) => Buffer.from(cborEncode(value)).toString('base64url')),
      fc
        .record({
          version: fc.oneof(fc.constant('1.0'), fc.jsonValue()),
          documents: fc.oneof(fc.array(fc.jsonValue(), { maxLength: 3 }), fc.jsonValue()),
          status: fc.oneof(fc.constant(0), fc.jsonValue()),
        })
        .map((value) => Buffer.from(cborEncode(value)).toString('base64url')),
      fc
        .array(fc.tuple(fc.nat({ max: honest.length - 1 }), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        })
        .map((flips) => {
          const mutated = Buffer.from(honest)
          for (const [at, mask] of flips) mutated[at] = (mutated[at] as number) ^ mask
          return mutated.toString('base64url')
        }),
      fc.nat({ max: honest.length - 1 }).map((length) => honest.subarray(0, length).toString('base64url')),
      fc.string({ maxLength: 60 }),
    )
    const statuses: number[] = []
    await fc.assert(
      fc.asyncProperty(entries, async (entry) => {
        const { status } = await postForm(request.payload.response_uri, {
          state: request.payload.state,
          vp_token: JSON.stringify({ licence: [entry] }),
        })
        statuses.push(status)
        expect(status).toBeLessThan(500)
      }),
      { numRuns: 250, seed: 20261205 },
    )
    expect(statuses.filter((status) => status === 400).length).toBeGreaterThan(200)
  }, 180_000)
})
