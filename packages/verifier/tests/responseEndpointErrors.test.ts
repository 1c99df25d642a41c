import { VCT } from '@attesto/testing'
import { postForm, type RequestObject } from '@attesto/testing/wallets'
import { HandBuiltScene } from './support/handBuiltScene.js'

// What the OID4VP response endpoint answers a wallet (OID4VP 1.0 §8.2, §8.5): a processed
// Authorization Response or Authorization Error Response is 200 with a JSON object; a refusal is
// an OAuth error (RFC 6749 §5.2: 400 invalid_request, JSON, no-store) with the reason code first
// in error_description. The refusals not shown elsewhere (handBuiltWallet, rejectionReasons,
// x509Trust, sameDeviceFlow) are here, with the wallet's own error responses. Real PostgreSQL.

describe('errors at the OID4VP response endpoint', () => {
  let scene: HandBuiltScene
  const wallet = () => scene.wallet
  const result = (requestId: string) => scene.result(requestId)
  const request = () => scene.request()
  const presentation = (req: RequestObject) => {
    const credential = wallet().issue(VCT, { degree: 'MSc' })
    return wallet().present(req, credential, [credential.disclosures.degree as string])
  }

  /** An OAuth error answer: status, `invalid_request`, JSON, not cached, `code` first in the description. */
  function expectOAuthError(
    answer: { status: number; body: Record<string, string>; headers: Headers },
    code: string,
    status = 400,
  ) {
    expect({ status: answer.status, error: answer.body.error }).toEqual({ status, error: 'invalid_request' })
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/)
    expect(answer.headers.get('cache-control')).toBe('no-store')
    expect(answer.body.error_description).toMatch(new RegExp(`^${code}`))
  }

  beforeAll(async () => {
    scene = await HandBuiltScene.start()
  })
  afterAll(() => scene?.close())

  it("ends a request on the wallet's error response, plain or encrypted, and answers 200", async () => {
    const plain = await request()
    const declined = await wallet().respond(
      plain.request,
      { error: 'access_denied', error_description: 'No matching credential', state: plain.requestId },
      { encrypt: false },
    )
    expect([declined.status, declined.body]).toEqual([200, {}])
    expect(declined.headers.get('cache-control')).toBe('no-store')
    expect(await result(plain.requestId)).toMatchObject({
      status: 'rejected',
      reason: { code: 'wallet_error', detail: 'access_denied: No matching credential' },
    })
    // The request is over: neither a presentation nor another error reaches it.
    expectOAuthError(
      await wallet().respond(plain.request, {
        vp_token: { diploma: [presentation(plain.request)] },
        state: plain.requestId,
      }),
      'request_closed',
    )
    expectOAuthError(
      await wallet().respond(plain.request, { error: 'access_denied', state: plain.requestId }, { encrypt: false }),
      'request_closed',
    )

    const encrypted = await request()
    const unsupported = await wallet().respond(encrypted.request, {
      error: 'vp_formats_not_supported',
      state: encrypted.requestId,
    })
    expect(unsupported.status).toBe(200)
    expect((await result(encrypted.requestId)).reason).toMatchObject({
      code: 'wallet_error',
      detail: 'vp_formats_not_supported',
    })
  })

  it('refuses a malformed error response, storing nothing, and error responses naming no open request', async () => {
    const { requestId, request: req } = await request()
    for (const params of [
      { error: 'access_denied"', state: requestId },
      { error: '', state: requestId },
      { error: 'x'.repeat(65), state: requestId },
      { error: 'access_denied', error_description: 'é', state: requestId },
      { error: 'access_denied', error_description: 'd'.repeat(301), state: requestId },
    ]) {
      expectOAuthError(await wallet().respond(req, params, { encrypt: false }), 'invalid_error_response')
    }
    expectOAuthError(await wallet().respond(req, { error: 'access_denied' }, { encrypt: false }), 'unknown_request')
    expectOAuthError(
      await wallet().respond(req, { error: 'access_denied', state: 'nope' }, { encrypt: false }),
      'unknown_request',
    )
    expect(await result(requestId)).toMatchObject({ status: 'pending' })
    expect((await result(requestId)).refusedAttempts).toBeUndefined()
  })

  it('refuses another presentation to a decided request as request_closed, and the same one as a replay', async () => {
    const { requestId, request: req } = await request()
    const first = presentation(req)
    expect((await wallet().respond(req, { vp_token: { diploma: [first] }, state: requestId })).status).toBe(200)
    expectOAuthError(
      await wallet().respond(req, { vp_token: { diploma: [first] }, state: requestId }),
      'replayed_response',
    )
    expectOAuthError(
      await wallet().respond(req, { vp_token: { diploma: [presentation(req)] }, state: requestId }),
      'request_closed',
    )
    expect((await result(requestId)).status).toBe('verified')
  })

  it('answers unreadable, oversized and unsafe bodies as OAuth errors', async () => {
    const { requestId, request: req } = await request()
    const responseUri = req.payload.response_uri
    const post = (body: string, contentType: string) =>
      fetch(responseUri, { method: 'POST', headers: { 'content-type': contentType }, body }).then(async (response) => ({
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as Record<string, string>,
      }))
    expectOAuthError(await post('{"state":', 'application/json'), '')
    expectOAuthError(
      await post(`state=${requestId}&vp_token=${'a'.repeat(1_100_000)}`, 'application/x-www-form-urlencoded'),
      '',
      413,
    )
    expectOAuthError((await postForm(responseUri, { state: `${requestId}\u0000` })) as never, '')
    expect(await result(requestId)).toMatchObject({ status: 'pending' })
  })

  it('answers the request object endpoint with OAuth errors: unknown, decided', async () => {
    const { requestId, request: req } = await request()
    const requestUri = `${req.payload.response_uri.replace(/\/authorize$/, '')}/authorization-requests/${requestId}`
    expect((await fetch(requestUri)).status).toBe(200)
    await wallet().respond(req, { error: 'access_denied', state: requestId }, { encrypt: false })
    for (const uri of [requestUri, requestUri.replace(requestId, 'nope')]) {
      const answer = await fetch(uri)
      expect([answer.status, ((await answer.json()) as { error: string }).error]).toEqual([404, 'invalid_request'])
      expect(answer.headers.get('cache-control')).toBe('no-store')
    }
  })
})
