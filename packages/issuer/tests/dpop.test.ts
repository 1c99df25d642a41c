import { randomBytes, randomUUID } from 'node:crypto'
import { holderAgent } from '@attesto/testing'
import * as oauth from 'oauth4webapi'
import { createIssuerApp } from '../src/app.js'
import { receiveBatch } from './support/credoBatch.js'
import { HandWallet, parseOffer } from './support/HandWallet.js'
import { deferredOffer, issuerPair, sharedInstanceEnv } from './support/issuerFixture.js'
import { oauthClient } from './support/oauthClient.js'
import { ath, SenderKey } from './support/senderKeys.js'

// DPoP (RFC 9449) on two issuer instances that share PostgreSQL, Redis and one public URL
// (http://issuer.test): oauth4webapi, an OAuth client nobody here wrote, runs the pre-authorised
// flow with DPoP (its nonce retry included) across both; hand-made proofs meet every refusal, and
// a proof used on one instance is a replay on the other.

const PUBLIC = 'http://issuer.test'
const PRE_AUTHORIZED = 'urn:ietf:params:oauth:grant-type:pre-authorized_code'
type Service = Awaited<ReturnType<typeof issuerPair>>['a']

describe('DPoP at the OID4VCI endpoints, two instances sharing Redis', () => {
  const env = sharedInstanceEnv(PUBLIC, 'attesto-dpop')
  let a: Service
  let b: Service
  let key = ''
  let issuerId = ''
  let credentialIssuer = ''
  const local = (service: Service, url: string) => url.replace(PUBLIC, service.http.url)

  async function offer() {
    const created = await a.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'Ada' },
    })
    return parseOffer(created.body.uri).code
  }

  /** A token request by hand to `service`, with the headers given. */
  async function tokenRequest(service: Service, headers: Record<string, string>, code?: string) {
    const response = await fetch(local(service, `${credentialIssuer}/token`), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ grant_type: PRE_AUTHORIZED, 'pre-authorized_code': code ?? (await offer()) }),
    })
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected loosely in tests
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> }
  }

  const dpopNonce = async (service: Service) =>
    (await fetch(local(service, `${credentialIssuer}/nonce`), { method: 'POST' })).headers.get('dpop-nonce') as string

  beforeAll(async () => {
    ;({ a, b, key, issuerId } = await issuerPair(createIssuerApp, env, 'DPoP'))
    credentialIssuer = `${PUBLIC}/oid4vci/${issuerId}`
  }, 120_000)
  afterAll(async () => {
    await b?.close()
    await a?.close()
  })

  it('advertises DPoP and keeps Bearer tokens while DPoP is optional (the default)', async () => {
    const metadata = await fetch(`${a.http.url}/.well-known/oauth-authorization-server/oid4vci/${issuerId}`)
    expect(await metadata.json()).toMatchObject({
      dpop_signing_alg_values_supported: ['ES256', 'ES384', 'EdDSA'],
      token_endpoint_auth_methods_supported: ['attest_jwt_client_auth', 'none'],
    })
    expect((await a.call('GET', `/issuers/${issuerId}`, key)).body).toMatchObject({ dpop: 'optional' })
    const bearer = await tokenRequest(a, {})
    expect(bearer.status).toBe(200)
    expect(bearer.body.token_type).toBe('Bearer')
  })

  it('oauth4webapi redeems an offer with DPoP (nonce retry) on A, then gets the credential and notifies on B', async () => {
    expect((await a.call('PATCH', `/issuers/${issuerId}`, key, { dpop: 'required' })).body.dpop).toBe('required')
    let target = a
    const { as, client, DPoP, options } = await oauthClient(credentialIssuer, (url) => local(target, url))
    const code = await offer()
    const redeem = async () =>
      oauth.processGenericTokenEndpointResponse(
        as,
        client,
        await oauth.genericTokenEndpointRequest(
          as,
          client,
          oauth.None(),
          PRE_AUTHORIZED,
          { 'pre-authorized_code': code },
          { DPoP, ...options },
        ),
      )
    let nonceRetries = 0
    const token = await redeem().catch((error) => {
      if (!oauth.isDPoPNonceError(error)) throw error
      nonceRetries++
      return redeem()
    })
    expect(nonceRetries).toBe(1) // the first request carried no nonce: 400 use_dpop_nonce, then the retry
    expect(token.token_type).toBe('dpop')

    target = b
    const wallet = new HandWallet()
    const proof = wallet.proof(credentialIssuer, token.c_nonce as string)
    const credential = await oauth.protectedResourceRequest(
      token.access_token,
      'POST',
      new URL(`${credentialIssuer}/credential`),
      new Headers({ 'content-type': 'application/json' }),
      JSON.stringify({ credential_configuration_id: 'pass', proofs: { jwt: [proof] } }),
      { DPoP, ...options },
    )
    expect(credential.status).toBe(200)
    const issued = (await credential.json()) as { credentials: unknown[]; notification_id: string }
    expect(issued.credentials).toHaveLength(1)
    const notified = await oauth.protectedResourceRequest(
      token.access_token,
      'POST',
      new URL(`${credentialIssuer}/notification`),
      new Headers({ 'content-type': 'application/json' }),
      JSON.stringify({ notification_id: issued.notification_id, event: 'credential_accepted' }),
      { DPoP, ...options },
    )
    expect(notified.status).toBe(204)
  })

  it("Credo's holder receives a credential from an issuer that requires DPoP, every call on the other instance", async () => {
    // Credo's holder (@openid4vc/oauth2 under it) sends DPoP because the metadata advertises it.
    let calls = 0
    const wallet = await holderAgent({
      fetch: (url, init) => {
        calls++
        return fetch(local(b, String(url)), init)
      },
    })
    try {
      const created = await a.call('POST', '/offers', key, {
        issuerId,
        credentialConfigurationId: 'pass',
        claims: { given_name: 'Grace' },
      })
      const { token, credentials } = await receiveBatch(wallet.agent, created.body.uri)
      expect(token.dpop?.jwk).toBeDefined()
      expect(credentials).toHaveLength(1)
      expect(calls).toBeGreaterThan(3)
      expect((await a.call('GET', `/offers/${created.body.offerId}`, key)).body.status).toBe('credential_issued')
    } finally {
      await wallet.close()
    }
  }, 180_000)

  it('refuses token requests with bad proofs: 400 invalid_dpop_proof / use_dpop_nonce, a fresh DPoP-Nonce each time', async () => {
    const sender = new SenderKey()
    const htu = `${credentialIssuer}/token`
    const nonce = await dpopNonce(b) // made on B, good on A: no shared state
    const refusals: [string, string, string][] = [
      ['none', '', 'requires DPoP'],
      ['wrong htm', sender.dpop({ htm: 'GET', htu, nonce }), "'htm'"],
      ['wrong htu', sender.dpop({ htm: 'POST', htu: `${credentialIssuer}/credential`, nonce }), "'htu'"],
      ['htu of the instance, not the public URL', sender.dpop({ htm: 'POST', htu: local(a, htu), nonce }), "'htu'"],
      ['stale iat', sender.dpop({ htm: 'POST', htu, nonce, iat: Math.floor(Date.now() / 1000) - 600 }), "'iat'"],
      ['wrong typ', sender.dpop({ htm: 'POST', htu, nonce }, { typ: 'JWT' }), "'typ'"],
      ['symmetric alg', sender.dpop({ htm: 'POST', htu, nonce }, { alg: 'HS256' }), "'alg'"],
      ['private jwk', sender.dpop({ htm: 'POST', htu, nonce }, { jwk: { ...sender.jwk, d: 'AAAA' } }), 'public key'],
      ['signed by another key', sender.dpop({ htm: 'POST', htu, nonce }, { jwk: new SenderKey().jwk }), 'signature'],
      [
        'two proofs',
        `${sender.dpop({ htm: 'POST', htu, nonce })}, ${sender.dpop({ htm: 'POST', htu, nonce })}`,
        'exactly one',
      ],
    ]
    for (const [what, proof, message] of refusals) {
      const answer = await tokenRequest(a, proof ? { dpop: proof } : {})
      expect({ what, status: answer.status, error: answer.body.error }).toEqual({
        what,
        status: 400,
        error: 'invalid_dpop_proof',
      })
      expect(answer.body.error_description).toContain(message)
      expect(answer.headers.get('dpop-nonce')).toEqual(expect.any(String))
    }
    for (const proof of [sender.dpop({ htm: 'POST', htu }), sender.dpop({ htm: 'POST', htu, nonce: 'made-up' })]) {
      const answer = await tokenRequest(a, { dpop: proof })
      expect([answer.status, answer.body.error]).toEqual([400, 'use_dpop_nonce'])
      // The nonce A hands out works, as B's did.
      const fresh = answer.headers.get('dpop-nonce') as string
      const retried = await tokenRequest(a, { dpop: sender.dpop({ htm: 'POST', htu, nonce: fresh }) })
      expect([retried.status, retried.body.token_type]).toEqual([200, 'DPoP'])
    }
  })

  it('catches a replayed proof on the other instance, at the token endpoint and at the credential endpoint', async () => {
    const sender = new SenderKey()
    const htu = `${credentialIssuer}/token`
    const proof = sender.dpop({ htm: 'POST', htu, nonce: await dpopNonce(a) })
    const first = await tokenRequest(a, { dpop: proof })
    expect(first.status).toBe(200)
    expect(first.body.token_type).toBe('DPoP')
    const replay = await tokenRequest(b, { dpop: proof })
    expect([replay.status, replay.body.error]).toEqual([400, 'invalid_dpop_proof'])
    expect(replay.body.error_description).toContain('used before')

    const token = first.body.access_token as string
    const resource = sender.dpop({
      htm: 'POST',
      htu: `${credentialIssuer}/nonce`.replace('/nonce', '/notification'),
      nonce: await dpopNonce(b),
      ath: ath(token),
    })
    const notify = (service: Service) =>
      fetch(local(service, `${credentialIssuer}/notification`), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `DPoP ${token}`, dpop: resource },
        body: JSON.stringify({ notification_id: 'unknown', event: 'credential_accepted' }),
      })
    // The proof holds on B (the notification id is what is wrong), and is a replay on A.
    expect(((await (await notify(b)).json()) as { error: string }).error).toBe('invalid_notification_id')
    const replayed = await notify(a)
    expect(replayed.status).toBe(401)
    expect(replayed.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof"/)
  })

  it('refuses a DPoP-bound token presented wrongly at the resource endpoints (RFC 9449 §7)', async () => {
    const sender = new SenderKey()
    const token = (
      await tokenRequest(a, {
        dpop: sender.dpop({ htm: 'POST', htu: `${credentialIssuer}/token`, nonce: await dpopNonce(a) }),
      })
    ).body.access_token as string
    const nonce = await dpopNonce(a)
    const htu = `${credentialIssuer}/credential`
    const body = JSON.stringify({ credential_configuration_id: 'pass' })
    const call = (authorization: string, proof?: string) =>
      fetch(local(b, htu), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization, ...(proof ? { dpop: proof } : {}) },
        body,
      })
    const cases: [string, Response, string, RegExp][] = [
      ['bound token as Bearer', await call(`Bearer ${token}`), 'invalid_token', /^Bearer error="invalid_token"/],
      ['no proof', await call(`DPoP ${token}`), 'invalid_dpop_proof', /^DPoP error="invalid_dpop_proof"/],
      [
        'wrong ath',
        await call(`DPoP ${token}`, sender.dpop({ htm: 'POST', htu, nonce, ath: ath(`${token}x`) })),
        'invalid_dpop_proof',
        /^DPoP error="invalid_dpop_proof"/,
      ],
      [
        'no ath',
        await call(`DPoP ${token}`, sender.dpop({ htm: 'POST', htu, nonce })),
        'invalid_dpop_proof',
        /^DPoP error="invalid_dpop_proof"/,
      ],
      [
        'proof by another key',
        await call(`DPoP ${token}`, new SenderKey().dpop({ htm: 'POST', htu, nonce, ath: ath(token) })),
        'invalid_token',
        /^DPoP error="invalid_token"/,
      ],
      [
        'missing nonce',
        await call(`DPoP ${token}`, sender.dpop({ htm: 'POST', htu, ath: ath(token) })),
        'use_dpop_nonce',
        /^DPoP error="use_dpop_nonce", error_description="[^"]+", algs="ES256 ES384 EdDSA"$/,
      ],
    ]
    for (const [what, response, error, challenge] of cases) {
      const answer = (await response.json()) as { error: string }
      expect({ what, status: response.status, error: answer.error }).toEqual({ what, status: 401, error })
      expect(response.headers.get('www-authenticate')).toMatch(challenge)
      expect(response.headers.get('dpop-nonce')).toEqual(expect.any(String))
    }
    // The right proof passes the token check (the request then fails on its missing proof of key).
    const right = await call(
      `DPoP ${token}`,
      sender.dpop({ htm: 'POST', htu, nonce, ath: ath(token), jti: randomUUID() }),
    )
    expect(right.status).toBe(400)
  })

  it('binds the refresh token of a deferred offer to the DPoP key: another key, or none, is invalid_grant', async () => {
    const created = { body: await deferredOffer(a, key, issuerId) }
    const sender = new SenderKey()
    const htu = `${credentialIssuer}/token`
    const first = await tokenRequest(
      a,
      { dpop: sender.dpop({ htm: 'POST', htu, nonce: await dpopNonce(a) }) },
      parseOffer(created.body.uri).code,
    )
    const refreshToken = first.body.refresh_token as string
    expect(refreshToken).toEqual(expect.any(String))

    // The credential request is deferred (202), and the deferred credential endpoint takes the token with DPoP only.
    const token = first.body.access_token as string
    const resource = async (endpoint: string, body: object, proof = true) => {
      const url = `${credentialIssuer}/${endpoint}`
      const response = await fetch(local(b, url), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `${proof ? 'DPoP' : 'Bearer'} ${token}`,
          ...(proof
            ? { dpop: sender.dpop({ htm: 'POST', htu: url, nonce: await dpopNonce(b), ath: ath(token) }) }
            : {}),
        },
        body: JSON.stringify(body),
      })
      return { status: response.status, body: (await response.json()) as { transaction_id?: string; error?: string } }
    }
    const wallet = new HandWallet()
    const deferred = await resource('credential', {
      credential_configuration_id: 'later',
      proofs: { jwt: [wallet.proof(credentialIssuer, first.body.c_nonce as string)] },
    })
    expect(deferred.status).toBe(202)
    const transaction = { transaction_id: deferred.body.transaction_id }
    expect((await resource('deferred-credential', transaction)).status).toBe(202)
    expect((await resource('deferred-credential', transaction, false)).body.error).toBe('invalid_token')
    const refresh = async (proof?: string, service = b) => {
      const response = await fetch(local(service, htu), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(proof ? { dpop: proof } : {}) },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
      })
      return { status: response.status, body: (await response.json()) as { error?: string; token_type?: string } }
    }
    const nonce = await dpopNonce(b)
    expect((await refresh(new SenderKey().dpop({ htm: 'POST', htu, nonce }))).body.error).toBe('invalid_grant')
    // Even where DPoP is optional (A sees its own change at once), the bound refresh token needs its key.
    await a.call('PATCH', `/issuers/${issuerId}`, key, { dpop: 'optional' })
    expect((await refresh(undefined, a)).body.error).toBe('invalid_grant')
    const refreshed = await refresh(sender.dpop({ htm: 'POST', htu, nonce }))
    expect([refreshed.status, refreshed.body.token_type]).toEqual([200, 'DPoP'])
  })
})
