import { TenantsApi } from '@attesto/agent-runtime'
import { startService, VCT } from '@attesto/testing'
import { HandBuiltWallet, postForm, type RequestObject } from '@attesto/testing/wallets'
import { type AgentContext, Kms } from '@credo-ts/core'
import { createVerifierApp, type VerifierRuntime } from '../src/app.js'
import { verifierProfiles } from '../src/verification/verifierDocuments.js'
import { encryptWithJose, listedKey } from './support/encryptedResponses.js'

// HAIP 1.0 §5: a fresh response-encryption key for every request (real PostgreSQL, local KMS).
// Responses are encrypted with jose alone, to the key the request object lists.

describe('a response-encryption key per request', () => {
  let verifier: Awaited<ReturnType<typeof startService<VerifierRuntime>>>
  const wallet = new HandBuiltWallet()
  const credential = wallet.issue(VCT, { degree: 'MSc' })
  let key = ''
  let verifierId = ''
  let tenantContext: AgentContext
  const query = {
    credentials: [{ id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [VCT] }, claims: [{ path: ['degree'] }] }],
  }
  const call = (...args: Parameters<typeof verifier.call>) => verifier.call(...args)
  const status = async (requestId: string) => (await call('GET', `/presentation-requests/${requestId}`, key)).body
  const row = (requestId: string) => verifier.runtime.sessions.find(tenantContext.contextCorrelationId, requestId)

  async function request() {
    const created = await call('POST', '/presentation-requests', key, { verifierId, dcql: { query } })
    expect(created.status).toBe(201)
    return { requestId: created.body.requestId as string, request: await wallet.fetchRequest(created.body.uri) }
  }
  /** The honest response parameters for `req`. */
  const answerOf = (req: RequestObject) => ({
    vp_token: { diploma: [wallet.present(req, credential, [credential.disclosures.degree as string])] },
    state: req.payload.state,
  })
  const post = (req: RequestObject, response: string) => postForm(req.payload.response_uri, { response })

  beforeAll(async () => {
    verifier = await startService('verifier', createVerifierApp)
    const tenant = (await call('POST', '/tenants', verifier.adminApiKey, { label: 'Bank' })).body
    key = tenant.apiKey
    verifierId = (await call('POST', '/verifiers', key, {})).body.verifierId
    await call('PUT', `/trusted-issuers/${encodeURIComponent(wallet.issuerDid)}`, key, {})
    const tenantId = String(key).split('.')[1] as string
    tenantContext = await verifier.runtime.agent.dependencyManager.resolve(TenantsApi).getTenantAgentContext(tenantId)
  })
  afterAll(() => verifier?.close())

  it('gives two requests two keys, each named by its request, kept in its row only wrapped', async () => {
    const [a, b] = [await request(), await request()]
    const [keyA, keyB] = [listedKey(a.request), listedKey(b.request)]
    expect(keyA).toMatchObject({ kty: 'EC', crv: 'P-256', kid: a.requestId, use: 'enc', alg: 'ECDH-ES' })
    expect(keyB).toMatchObject({ kid: b.requestId, use: 'enc', alg: 'ECDH-ES' })
    expect([keyA.x, keyA.y]).not.toEqual([keyB.x, keyB.y])
    expect(keyA).not.toHaveProperty('d')
    expect(a.request.payload.client_metadata.encrypted_response_enc_values_supported).toEqual(['A128GCM', 'A256GCM'])
    const stored = await row(a.requestId)
    expect(stored?.responseKey?.publicJwk).toEqual({ kty: 'EC', crv: 'P-256', x: keyA.x, y: keyA.y, kid: a.requestId })
    expect(stored?.responseKey?.wrappedPrivateKey).toMatch(/^local:v1:/)
    expect(JSON.stringify(stored)).not.toMatch(/"d":/)
    // Neither the API nor the verifier's profile carries a key.
    expect(JSON.stringify(await status(a.requestId))).not.toContain('wrapped')
    expect((await verifierProfiles.get(tenantContext, verifierId)).encryptionKey).toBeUndefined()
  })

  it('decrypts A128GCM and A256GCM responses encrypted by jose to the request key', async () => {
    for (const enc of ['A128GCM', 'A256GCM'] as const) {
      const { requestId, request: req } = await request()
      const answered = await post(req, await encryptWithJose(listedKey(req), answerOf(req), { enc }))
      expect({ enc, status: answered.status }).toEqual({ enc, status: 200 })
      expect((await status(requestId)).status).toBe('verified')
    }
  })

  it("refuses a response encrypted to another request's key, whatever it claims, and stores nothing", async () => {
    const a = await request()
    const b = await request()
    const forB = answerOf(b.request)
    const attempts = {
      // Encrypted to A's key, naming B's key: it does not decrypt with B's key.
      'kid of B': await encryptWithJose(listedKey(a.request), forB, { kid: b.requestId }),
      // Encrypted to A's key and naming it, answering B: A's key is A's alone.
      'kid of A': await encryptWithJose(listedKey(a.request), forB),
      // Naming no key at all.
      'no kid': await encryptWithJose(listedKey(a.request), forB, { kid: undefined }),
    }
    for (const [attempt, jwe] of Object.entries(attempts)) {
      const refused = await post(b.request, jwe)
      expect({ attempt, status: refused.status, error: refused.body.error }).toEqual({
        attempt,
        status: 400,
        error: 'invalid_request',
      })
      expect(refused.body.error_description).toMatch(/^verification_failed: /)
    }
    for (const { requestId } of [a, b]) {
      expect(await status(requestId)).toMatchObject({ status: 'pending' })
      expect((await status(requestId)).refusedAttempts).toBeUndefined()
    }
    // Encrypted to its own key, B's answer verifies.
    expect((await post(b.request, await encryptWithJose(listedKey(b.request), forB))).status).toBe(200)
    expect((await status(b.requestId)).status).toBe('verified')
  })

  it('answers 500 server_error, deciding nothing, when the stored key does not unwrap', async () => {
    const { requestId, request: req } = await request()
    // One character of the wrapped key's ciphertext changed: the KMS's authentication fails.
    const wrapped = (await row(requestId))?.responseKey?.wrappedPrivateKey as string
    const at = wrapped.lastIndexOf(':') - 3
    const altered = `${wrapped.slice(0, at)}${wrapped[at] === 'A' ? 'B' : 'A'}${wrapped.slice(at + 1)}`
    await verifier.runtime.storage.database.query(
      `UPDATE "${verifier.schema}".tenant_records
       SET value = jsonb_set(value, '{responseKey,wrappedPrivateKey}', to_jsonb($2::text)) WHERE id = $1`,
      [requestId, altered],
    )
    const failed = await post(req, await encryptWithJose(listedKey(req), answerOf(req)))
    expect([failed.status, failed.body.error]).toEqual([500, 'server_error'])
    expect(JSON.stringify(failed.body)).not.toMatch(/wrap|local:v1/)
    expect((await status(requestId)).status).toBe('pending')
  })

  it('still decrypts, with the verifier key, a request made before per-request keys (rolling upgrade)', async () => {
    // What an earlier version stored: a verifier key in the KMS and the profile, a row without a key.
    const kms = tenantContext.dependencyManager.resolve(Kms.KeyManagementApi)
    const { keyId, publicJwk } = await kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
    const profile = await verifierProfiles.get(tenantContext, verifierId)
    await verifierProfiles.update(tenantContext, verifierId, {
      ...profile,
      encryptionKey: { keyId, publicJwk: { ...publicJwk, kid: keyId } as Kms.KmsJwkPublic },
    })
    const { requestId } = await request()
    const stored = await row(requestId)
    const { responseKey: _dropped, ...before } = stored as NonNullable<typeof stored>
    await verifier.runtime.sessions.create(tenantContext.contextCorrelationId, `${requestId}-old`, before)
    const uri = `openid4vp://?request_uri=${encodeURIComponent(
      `${verifier.http.url}/oid4vp/${verifierId}/authorization-requests/${requestId}-old`,
    )}`
    const old = await wallet.fetchRequest(uri)
    expect(listedKey(old)).toMatchObject({ kid: keyId, x: (publicJwk as { x: string }).x })
    expect((await post(old, await encryptWithJose(listedKey(old), answerOf(old)))).status).toBe(200)
    expect((await status(`${requestId}-old`)).status).toBe('verified')
    // A new request of the same verifier still lists its own key, never the verifier's.
    expect(listedKey((await request()).request).kid).not.toBe(keyId)
  })
})
