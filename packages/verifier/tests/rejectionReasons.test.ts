import {
  createDiplomaOffer,
  holderAgent,
  redeemOffer,
  startIssuer,
  startService,
  VCT,
} from '@attesto/agent-runtime/testing'
import type { SdJwtVcRecord } from '@credo-ts/core'
import { createVerifierApp, type VerifierRuntime } from '../src/app.js'

// Each way a presentation can be wrong gets its own reason code. The verifier REST API runs over
// HTTP on 127.0.0.1 (real PostgreSQL, local KMS); a Credo wallet plays the honest holder and,
// by altering what it signs or sends, the attacker.

interface SentResponse {
  url: string
  body: string
  contentType: string
}

describe('verifier rejection reasons', () => {
  let verifier: Awaited<ReturnType<typeof startService<VerifierRuntime>>>
  let issuer: Awaited<ReturnType<typeof startIssuer>>
  let wallet: Awaited<ReturnType<typeof holderAgent>>
  let key = ''
  let verifierId = ''
  /** Every authorisation response the wallet POSTed, as sent. */
  const sent: SentResponse[] = []
  const call = (...args: Parameters<typeof verifier.call>) => verifier.call(...args)
  const query = {
    credentials: [{ id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [VCT] }, claims: [{ path: ['degree'] }] }],
  }

  const recordingFetch: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    if (init?.method === 'POST' && url.includes('/authorize')) {
      const headers = new Headers(init.headers)
      sent.push({ url, body: String(init.body), contentType: headers.get('content-type') ?? '' })
    }
    return fetch(input, init)
  }

  async function createRequest(extra: Record<string, unknown> = {}) {
    const created = await call('POST', '/presentation-requests', key, { verifierId, dcql: { query }, ...extra })
    expect(created.status).toBe(201)
    return created.body as { requestId: string; uri: string }
  }

  /** The wallet answers `uri`; `alter` changes the request it believes it answers (nonce, audience). */
  async function present(uri: string, alter: (payload: Record<string, unknown>) => Record<string, unknown> = (p) => p) {
    const holder = wallet.agent.openid4vc.holder
    const request = await holder.resolveOpenId4VpAuthorizationRequest(uri)
    return holder.acceptOpenId4VpAuthorizationRequest({
      authorizationRequestPayload: alter(request.authorizationRequestPayload as never) as never,
      dcql: { credentials: holder.selectCredentialsForDcqlRequest(request.dcql?.queryResult as never) },
    })
  }

  const result = async (requestId: string) => (await call('GET', `/presentation-requests/${requestId}`, key)).body

  beforeAll(async () => {
    verifier = await startService('verifier', createVerifierApp)
    issuer = await startIssuer()
    wallet = await holderAgent({ fetch: recordingFetch })
    const offer = await createDiplomaOffer(issuer.runtime.agent.context, { given_name: 'Ada', degree: 'MSc' })
    const [credential] = await redeemOffer(wallet.agent, offer.credentialOffer)
    await wallet.agent.sdJwtVc.store({ record: credential?.record as never })
    key = (await call('POST', '/tenants', verifier.adminApiKey, { label: 'Bank' })).body.apiKey
    verifierId = (await call('POST', '/verifiers', key, {})).body.verifierId
    await call('PUT', `/trusted-issuers/${encodeURIComponent(offer.issuerDid)}`, key, {})
  })
  afterAll(async () => {
    await wallet?.close()
    await issuer?.close()
    await verifier?.close()
  })

  it('refuses a replayed response, to its own request and to another, and neither request is harmed', async () => {
    const first = await createRequest()
    await present(first.uri)
    expect((await result(first.requestId)).status).toBe('verified')
    const captured = sent.at(-1) as SentResponse

    const replay = (url: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': captured.contentType }, body: captured.body })
    const again = await replay(captured.url)
    expect(again.status).toBe(400)
    expect(((await again.json()) as { error_description: string }).error_description).toMatch(/^replayed_response/)
    expect((await result(first.requestId)).status).toBe('verified')

    // The same response posted to a second, pending request: refused, and the request stays open
    // for its real holder.
    const second = await createRequest()
    const secondResponseUrl = await responseUrlOf(second.uri)
    const elsewhere = await replay(secondResponseUrl)
    expect(elsewhere.status).toBe(400)
    expect(((await elsewhere.json()) as { error_description: string }).error_description).toMatch(/^replayed_response/)
    expect((await result(second.requestId)).status).toBe('pending')
    await present(second.uri)
    expect((await result(second.requestId)).status).toBe('verified')
  })

  it('rejects a key-binding proof made for another nonce', async () => {
    const request = await createRequest()
    await present(request.uri, (payload) => ({ ...payload, nonce: 'a-nonce-from-another-request' }))
    expect(await result(request.requestId)).toMatchObject({ status: 'rejected', reason: { code: 'nonce_mismatch' } })
  })

  it('rejects a key-binding proof made for another verifier', async () => {
    const request = await createRequest()
    await present(request.uri, (payload) => ({ ...payload, client_id: 'decentralized_identifier:did:example:other' }))
    expect(await result(request.requestId)).toMatchObject({
      status: 'rejected',
      reason: { code: 'audience_mismatch' },
    })
  })

  it('rejects an answer to an expired request, and reports an unanswered one as expired', async () => {
    const answered = await createRequest({ expiresInSeconds: 1 })
    const unanswered = await createRequest({ expiresInSeconds: 1 })
    const holder = wallet.agent.openid4vc.holder
    const resolved = await holder.resolveOpenId4VpAuthorizationRequest(answered.uri)
    await new Promise((resolve) => setTimeout(resolve, 1_200))
    await holder.acceptOpenId4VpAuthorizationRequest({
      authorizationRequestPayload: resolved.authorizationRequestPayload,
      dcql: { credentials: holder.selectCredentialsForDcqlRequest(resolved.dcql?.queryResult as never) },
    })
    expect(await result(answered.requestId)).toMatchObject({
      status: 'rejected',
      reason: { code: 'request_expired' },
    })
    expect(await result(unanswered.requestId)).toMatchObject({ status: 'expired' })
  })

  it('rejects a credential whose issuer-signed part was altered', async () => {
    const [record] = (await wallet.agent.sdJwtVc.getAll()) as SdJwtVcRecord[]
    const instance = record?.credentialInstances[0] as { compactSdJwtVc: string }
    const original = instance.compactSdJwtVc
    const [jwt, ...rest] = original.split('~')
    const [header, payload, signature] = (jwt as string).split('.')
    const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString())
    const forged = Buffer.from(JSON.stringify({ ...claims, exp: claims.iat + 10 * 365 * 24 * 3600 })).toString(
      'base64url',
    )
    instance.compactSdJwtVc = [`${header}.${forged}.${signature}`, ...rest].join('~')
    await wallet.agent.sdJwtVc.update(record as SdJwtVcRecord)
    try {
      const request = await createRequest()
      await present(request.uri)
      expect(await result(request.requestId)).toMatchObject({
        status: 'rejected',
        reason: { code: 'invalid_signature' },
      })
    } finally {
      instance.compactSdJwtVc = original
      await wallet.agent.sdJwtVc.update(record as SdJwtVcRecord)
    }
  })

  /** The response_uri of a request, as the wallet reads it from the signed request object. */
  async function responseUrlOf(uri: string): Promise<string> {
    const resolved = await wallet.agent.openid4vc.holder.resolveOpenId4VpAuthorizationRequest(uri)
    return (resolved.authorizationRequestPayload as { response_uri: string }).response_uri
  }
})
