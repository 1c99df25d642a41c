import { startService, VCT } from '@attesto/testing'
import { disclosure, HandBuiltWallet, postForm, type RequestObject } from '@attesto/testing/wallets'
import { createVerifierApp, type VerifierRuntime } from '../src/app.js'

// The OID4VP endpoints against a wallet and an issuer built by hand (node:crypto and jose, no
// Credo): an honest presentation interoperates, and the attacks an honest wallet never sends are
// refused with their reason, recorded on the request, which stays open. Real PostgreSQL.

describe('OID4VP endpoints against a hand-built wallet', () => {
  let verifier: Awaited<ReturnType<typeof startService<VerifierRuntime>>>
  const wallet = new HandBuiltWallet()
  const credential = wallet.issue(VCT, { given_name: 'Ada', degree: 'MSc' })
  let key = ''
  let verifierId = ''
  const query = {
    credentials: [{ id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [VCT] }, claims: [{ path: ['degree'] }] }],
  }
  const call = (...args: Parameters<typeof verifier.call>) => verifier.call(...args)
  const result = async (requestId: string) => (await call('GET', `/presentation-requests/${requestId}`, key)).body

  async function request(extra: Record<string, unknown> = {}) {
    const created = await call('POST', '/presentation-requests', key, { verifierId, dcql: { query }, ...extra })
    expect(created.status).toBe(201)
    return { requestId: created.body.requestId as string, request: await wallet.fetchRequest(created.body.uri) }
  }

  const vpToken = (presentation: string) => ({ diploma: [presentation] })
  const answer = (req: RequestObject, presentation: string) =>
    wallet.respond(req, { vp_token: vpToken(presentation), state: req.payload.state })

  /** Every row of the verifier's storage, to show that a request wrote nothing. */
  const storageSnapshot = async () =>
    (
      await verifier.runtime.storage.database.query(
        `SELECT count(*)::int AS n, max(updated_at) AS last FROM "${verifier.schema}".tenant_records`,
      )
    ).rows[0]

  beforeAll(async () => {
    verifier = await startService('verifier', createVerifierApp)
    key = (await call('POST', '/tenants', verifier.adminApiKey, { label: 'Bank' })).body.apiKey
    verifierId = (await call('POST', '/verifiers', key, {})).body.verifierId
    await call('PUT', `/trusted-issuers/${encodeURIComponent(wallet.issuerDid)}`, key, {})
  })
  afterAll(() => verifier?.close())

  it('signs a request object for static discovery, with asymmetric algorithms only', async () => {
    const { request: req } = await request()
    expect(req.header).toMatchObject({ typ: 'oauth-authz-req+jwt', alg: 'ES256' })
    expect(req.payload).toMatchObject({ aud: 'https://self-issued.me/v2', response_mode: 'direct_post.jwt' })
    const formats = req.payload.client_metadata as { vp_formats_supported: Record<string, Record<string, string[]>> }
    const algorithms = Object.values(formats.vp_formats_supported['dc+sd-jwt'] ?? {}).flat()
    expect(algorithms.length).toBeGreaterThan(0)
    expect(algorithms.filter((alg) => !/^(ES|EdDSA|Ed25519|PS|RS)/.test(alg))).toEqual([])
  })

  it('verifies an honest encrypted presentation, disclosing only the degree', async () => {
    const { requestId, request: req } = await request()
    const presentation = wallet.present(req, credential, [credential.disclosures.degree as string])
    expect((await answer(req, presentation)).status).toBe(200)
    expect(await result(requestId)).toMatchObject({
      status: 'verified',
      credentials: [{ queryId: 'diploma', issuer: wallet.issuerDid, vct: VCT, claims: { degree: 'MSc' } }],
    })
    // The same response again is a replay, and leaves the result as it was.
    const again = await answer(req, presentation)
    expect(again.status).toBe(400)
    expect(again.body.error_description).toMatch(/^replayed_response/)
    expect((await result(requestId)).status).toBe('verified')
  })

  it('refuses a disclosure that no digest references (invalid_disclosure), and the request stays open', async () => {
    const { requestId, request: req } = await request()
    const smuggled = disclosure('degree', 'PhD').encoded
    const refused = await answer(req, wallet.present(req, credential, [smuggled]))
    expect(refused.status).toBe(400)
    expect(refused.body.error_description).toMatch(/^invalid_disclosure: /)
    expect(await result(requestId)).toMatchObject({
      status: 'pending',
      refusedAttemptCount: 1,
      refusedAttempts: [{ reason: { code: 'invalid_disclosure' } }],
    })
    const honest = wallet.present(req, credential, [credential.disclosures.degree as string])
    expect((await answer(req, honest)).status).toBe(200)
    expect((await result(requestId)).status).toBe('verified')
  })

  it('refuses a tampered requested disclosure as invalid_disclosure, not verification_failed', async () => {
    const { requestId, request: req } = await request()
    const original = JSON.parse(Buffer.from(credential.disclosures.degree as string, 'base64url').toString())
    const tampered = Buffer.from(JSON.stringify([original[0], 'degree', 'PhD'])).toString('base64url')
    const refused = await answer(req, wallet.present(req, credential, [tampered]))
    expect(refused.body.error_description).toMatch(/^invalid_disclosure: /)
    expect((await result(requestId)).refusedAttempts[0].reason.code).toBe('invalid_disclosure')
  })

  it('refuses a disclosure added after the holder signed (sd_hash), and a stale key-binding proof', async () => {
    const { requestId, request: req } = await request()
    const signed = wallet.present(req, credential, [credential.disclosures.degree as string])
    const [jwt, degree, kb] = signed.split('~')
    const widened = `${jwt}~${degree}~${credential.disclosures.given_name}~${kb}`
    expect((await answer(req, widened)).body.error_description).toMatch(/^invalid_disclosure: /)
    const stale = wallet.present(req, credential, [credential.disclosures.degree as string], {
      iat: Math.floor(Date.now() / 1000) - 3600,
    })
    expect((await answer(req, stale)).body.error_description).toMatch(/^verification_failed: /)
    expect(await result(requestId)).toMatchObject({ status: 'pending', refusedAttemptCount: 2 })
  })

  it('records malformed responses as refused attempts, in a bounded list', async () => {
    const { requestId, request: req } = await request()
    for (let i = 0; i < 12; i++) {
      const refused = await wallet.respond(req, { vp_token: { diploma: [`not-an-sd-jwt-${i}`] }, state: requestId })
      expect(refused.status).toBe(400)
      expect(refused.body.error_description).toMatch(/^verification_failed: /)
    }
    const state = await result(requestId)
    expect(state).toMatchObject({ status: 'pending', refusedAttemptCount: 12 })
    expect(state.refusedAttempts).toHaveLength(10)
  })

  it('stores nothing for responses that name no open request', async () => {
    const { requestId, request: req } = await request()
    const honest = wallet.present(req, credential, [credential.disclosures.degree as string])
    const before = await storageSnapshot()
    const base = new URL(req.payload.response_uri)
    const elsewhere = base.href.replace(verifierId, 'no-such-verifier')
    for (const [index, attempt] of [
      await postForm(elsewhere, {
        response: await wallet.encrypt(req, { vp_token: vpToken(honest), state: requestId }),
      }),
      await wallet.respond(req, { vp_token: vpToken(honest), state: 'no-such-request' }),
      await wallet.respond(req, { vp_token: vpToken(honest) }),
      await postForm(base.href, { response: 'not.a.jwe.at.all' }),
      // The sender's key: a point off the curve, another curve.
      await postForm(base.href, {
        response: withEpk(await wallet.encrypt(req, { vp_token: vpToken(honest), state: requestId }), (epk) => ({
          ...epk,
          y: epk.x as string,
        })),
      }),
      await postForm(base.href, {
        response: withEpk(await wallet.encrypt(req, { vp_token: vpToken(honest), state: requestId }), (epk) => ({
          ...epk,
          crv: 'P-384',
        })),
      }),
      await postForm(base.href, { vp_token: JSON.stringify(vpToken(honest)) }),
    ].entries()) {
      expect({ attempt: index, status: attempt.status, error: attempt.body.error }).toEqual({
        attempt: index,
        status: 400,
        error: 'invalid_request',
      })
    }
    expect(await storageSnapshot()).toEqual(before)
    expect(await result(requestId)).toMatchObject({ status: 'pending' })
    expect((await result(requestId)).refusedAttempts).toBeUndefined()
  })

  it('answers direct_post when asked, and refuses a plain response to a direct_post.jwt request', async () => {
    const plain = await request({ responseMode: 'direct_post' })
    expect(plain.request.payload.response_mode).toBe('direct_post')
    expect(plain.request.payload.client_metadata.jwks).toBeUndefined()
    const presentation = wallet.present(plain.request, credential, [credential.disclosures.degree as string])
    expect((await answer(plain.request, presentation)).status).toBe(200)
    expect((await result(plain.requestId)).status).toBe('verified')

    const encrypted = await request()
    const unencrypted = wallet.present(encrypted.request, credential, [credential.disclosures.degree as string])
    const refused = await wallet.respond(
      encrypted.request,
      { vp_token: vpToken(unencrypted), state: encrypted.requestId },
      { encrypt: false },
    )
    expect(refused.body.error_description).toMatch(/^verification_failed: /)
    expect((await result(encrypted.requestId)).status).toBe('pending')
  })

  it('ends the request as rejected for a valid presentation of an expired credential', async () => {
    const expired = wallet.issue(VCT, { degree: 'MSc' }, { exp: Math.floor(Date.now() / 1000) - 60 })
    const { requestId, request: req } = await request()
    const answered = await answer(req, wallet.present(req, expired, [expired.disclosures.degree as string]))
    expect(answered.status).toBe(200)
    expect(await result(requestId)).toMatchObject({ status: 'rejected', reason: { code: 'verification_failed' } })
  })
})

/** `jwe` with its header's `epk` changed by `change` (the header is the JWE's AAD: nothing else moves). */
function withEpk(jwe: string, change: (epk: Record<string, string>) => Record<string, string>): string {
  const [header, ...rest] = jwe.split('.')
  const decoded = JSON.parse(Buffer.from(header as string, 'base64url').toString())
  const changed = Buffer.from(JSON.stringify({ ...decoded, epk: change(decoded.epk) })).toString('base64url')
  return [changed, ...rest].join('.')
}
