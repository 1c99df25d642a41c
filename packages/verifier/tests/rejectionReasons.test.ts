import { holderAgent, startIssuer, startService } from '@attesto/testing'
import type { SdJwtVcRecord } from '@credo-ts/core'
import { createVerifierApp, type VerifierRuntime } from '../src/app.js'
import { DEGREE_QUERY, issueDiplomaTo, presentFrom } from './support/diplomaHolder.js'

// Each way a presentation can be wrong gets its own reason code. A response that fails a check the
// holder controls is refused and counted on the request, which stays open; only a verified
// presentation (or the tenant's policy on one) decides it. The verifier REST API runs over
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
  let issuerDid = ''
  /** Every authorisation response the wallet POSTed, as sent. */
  const sent: SentResponse[] = []
  const call = (...args: Parameters<typeof verifier.call>) => verifier.call(...args)

  const recordingFetch: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    if (init?.method === 'POST' && url.includes('/authorize')) {
      const headers = new Headers(init.headers)
      sent.push({ url, body: String(init.body), contentType: headers.get('content-type') ?? '' })
    }
    return fetch(input, init)
  }

  async function createRequest(extra: Record<string, unknown> = {}) {
    const created = await call('POST', '/presentation-requests', key, {
      verifierId,
      dcql: { query: DEGREE_QUERY },
      ...extra,
    })
    expect(created.status).toBe(201)
    return created.body as { requestId: string; uri: string }
  }

  const result = async (requestId: string) => (await call('GET', `/presentation-requests/${requestId}`, key)).body

  beforeAll(async () => {
    verifier = await startService('verifier', createVerifierApp)
    issuer = await startIssuer()
    wallet = await holderAgent({ fetch: recordingFetch })
    const offer = await issueDiplomaTo(wallet, issuer.runtime.agent.context, { given_name: 'Ada', degree: 'MSc' })
    key = (await call('POST', '/tenants', verifier.adminApiKey, { label: 'Bank' })).body.apiKey
    verifierId = (await call('POST', '/verifiers', key, {})).body.verifierId
    issuerDid = offer.issuerDid
    await call('PUT', `/trusted-issuers/${encodeURIComponent(issuerDid)}`, key, {})
  })
  afterAll(async () => {
    await wallet?.close()
    await issuer?.close()
    await verifier?.close()
  })

  it('refuses a replayed response, to its own request and to another, and neither request is harmed', async () => {
    const first = await createRequest()
    await presentFrom(wallet, first.uri)
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
    await presentFrom(wallet, second.uri)
    expect((await result(second.requestId)).status).toBe('verified')
  })

  /** The wallet was refused with `code` first in the error description; the request stays open with the attempt recorded. */
  async function expectRefused(
    answer: { ok: boolean; serverResponse?: { status: number; body: unknown } },
    requestId: string,
    code: string,
  ) {
    expect(answer.ok).toBe(false)
    expect(answer.serverResponse?.status).toBe(400)
    expect(((answer.serverResponse?.body ?? {}) as { error_description?: string }).error_description).toMatch(
      new RegExp(`^${code}: `),
    )
    const state = await result(requestId)
    expect(state).toMatchObject({ status: 'pending', refusedAttemptCount: 1 })
    expect(state.refusedAttempts).toEqual([{ at: expect.any(String), reason: expect.objectContaining({ code }) }])
  }

  it('refuses a key-binding proof made for another nonce, and the request stays open for its holder', async () => {
    const request = await createRequest()
    const answer = await presentFrom(wallet, request.uri, (payload) => ({
      ...payload,
      nonce: 'a-nonce-from-another-request',
    }))
    await expectRefused(answer, request.requestId, 'nonce_mismatch')
    await presentFrom(wallet, request.uri)
    expect((await result(request.requestId)).status).toBe('verified')
  })

  it('refuses a key-binding proof made for another verifier', async () => {
    const request = await createRequest()
    const answer = await presentFrom(wallet, request.uri, (payload) => ({
      ...payload,
      client_id: 'decentralized_identifier:did:example:other',
    }))
    await expectRefused(answer, request.requestId, 'audience_mismatch')
  })

  it('refuses an answer to an expired request (storing nothing), and reports both requests as expired', async () => {
    const answered = await createRequest({ expiresInSeconds: 1 })
    const unanswered = await createRequest({ expiresInSeconds: 1 })
    const holder = wallet.agent.openid4vc.holder
    const resolved = await holder.resolveOpenId4VpAuthorizationRequest(answered.uri)
    await new Promise((resolve) => setTimeout(resolve, 1_200))
    const answer = await holder.acceptOpenId4VpAuthorizationRequest({
      authorizationRequestPayload: resolved.authorizationRequestPayload,
      dcql: { credentials: holder.selectCredentialsForDcqlRequest(resolved.dcql?.queryResult as never) },
    })
    expect(answer.ok).toBe(false)
    expect(((answer.serverResponse?.body ?? {}) as { error_description?: string }).error_description).toMatch(
      /^request_expired: /,
    )
    const late = await result(answered.requestId)
    expect(late).toMatchObject({ status: 'expired' })
    expect(late.refusedAttempts).toBeUndefined()
    expect(await result(unanswered.requestId)).toMatchObject({ status: 'expired' })
  })

  it('refuses a credential whose issuer-signed part was altered', async () => {
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
      await expectRefused(await presentFrom(wallet, request.uri), request.requestId, 'invalid_signature')
    } finally {
      instance.compactSdJwtVc = original
      await wallet.agent.sdJwtVc.update(record as SdJwtVcRecord)
    }
  })

  it('decides once: trusting the issuer later does not turn a stored rejection into a verification', async () => {
    const other = (await call('POST', '/tenants', verifier.adminApiKey, { label: 'Shop' })).body.apiKey
    const otherVerifier = (await call('POST', '/verifiers', other, {})).body.verifierId
    const created = await call('POST', '/presentation-requests', other, {
      verifierId: otherVerifier,
      dcql: { query: DEGREE_QUERY },
    })
    const answer = await presentFrom(wallet, created.body.uri)
    expect(answer.ok).toBe(true)
    const read = async () => (await call('GET', `/presentation-requests/${created.body.requestId}`, other)).body
    expect(await read()).toMatchObject({ status: 'rejected', reason: { code: 'untrusted_issuer' } })
    await call('PUT', `/trusted-issuers/${encodeURIComponent(issuerDid)}`, other, {})
    expect(await read()).toMatchObject({ status: 'rejected', reason: { code: 'untrusted_issuer' } })
    expect((await read()).credentials).toBeUndefined()
  })

  /** The response_uri of a request, as the wallet reads it from the signed request object. */
  async function responseUrlOf(uri: string): Promise<string> {
    const resolved = await wallet.agent.openid4vc.holder.resolveOpenId4VpAuthorizationRequest(uri)
    return (resolved.authorizationRequestPayload as { response_uri: string }).response_uri
  }
})
