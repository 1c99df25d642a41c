import { randomBytes } from 'node:crypto'
import { DevelopmentCa } from '@attesto/protocol-kit'
import * as oauth from 'oauth4webapi'
import { createIssuerApp } from '../src/app.js'
import { parseOffer } from './support/HandWallet.js'
import { deferredOffer, issuerPair, sharedInstanceEnv } from './support/issuerFixture.js'
import { oauthClient } from './support/oauthClient.js'
import { attestationPop, providerChain, SenderKey, walletAttestation } from './support/senderKeys.js'

// Attestation-based client authentication (draft -07) at the token endpoint of two issuer
// instances sharing PostgreSQL and Redis: wallet providers trusted through the REST API by a CA
// certificate (attestations with an x5c chain) or a JWK; oauth4webapi drives the pre-authorised
// flow with DPoP and an attestation (a custom ClientAuth: it has no attest_jwt_client_auth of its
// own); hand-made attestations meet every refusal; a PoP used on one instance is a replay on the other.

const PUBLIC = 'http://issuer.test'
const PRE_AUTHORIZED = 'urn:ietf:params:oauth:grant-type:pre-authorized_code'
type Service = Awaited<ReturnType<typeof issuerPair>>['a']

describe('wallet attestation at the token endpoint, two instances sharing Redis', () => {
  const env = sharedInstanceEnv(PUBLIC, 'attesto-attest')
  let a: Service
  let b: Service
  let key = ''
  let issuerId = ''
  let credentialIssuer = ''
  const provider = new SenderKey() // signs through its certificate (x5c)
  const jwkProvider = new SenderKey() // trusted by its JWK
  let x5c: string[] = []
  const local = (service: Service, url: string) => url.replace(PUBLIC, service.http.url)

  async function tokenRequest(service: Service, headers: Record<string, string>, form: Record<string, string> = {}) {
    const created = await a.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'Ada' },
    })
    const response = await fetch(local(service, `${credentialIssuer}/token`), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({
        grant_type: PRE_AUTHORIZED,
        'pre-authorized_code': parseOffer(created.body.uri).code,
        ...form,
      }),
    })
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected loosely in tests
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> }
  }

  const attested = (attestation: string, pop: string) => ({
    'oauth-client-attestation': attestation,
    'oauth-client-attestation-pop': pop,
  })

  beforeAll(async () => {
    ;({ a, b, key, issuerId } = await issuerPair(createIssuerApp, env, 'Attestation'))
    credentialIssuer = `${PUBLIC}/oid4vci/${issuerId}`
    const ca = await DevelopmentCa.create({ name: 'Example Wallet Provider CA' })
    x5c = await providerChain(ca, provider)
    const anchor = await a.call('PUT', '/wallet-providers/example-wallet', key, {
      certificate: ca.rootBase64(),
      label: 'Example Wallet',
    })
    expect(anchor.status).toBe(200)
    expect(anchor.body).toMatchObject({ providerId: 'example-wallet', subject: expect.stringContaining('CN=') })
    const jwk = await a.call('PUT', '/wallet-providers/other-wallet', key, { jwk: { ...jwkProvider.jwk, kid: 'p1' } })
    expect(jwk.body).toMatchObject({ providerId: 'other-wallet', jkt: jwkProvider.jkt })
    expect((await b.call('GET', '/wallet-providers', key)).body.walletProviders).toHaveLength(2)
    const required = await a.call('PATCH', `/issuers/${issuerId}`, key, { clientAttestation: 'required' })
    expect(required.body.clientAttestation).toBe('required')
  }, 120_000)
  afterAll(async () => {
    await b?.close()
    await a?.close()
  })

  it('advertises attest_jwt_client_auth alone once public clients are refused, and refuses one', async () => {
    const metadata = await (
      await fetch(`${b.http.url}/oid4vci/${issuerId}/.well-known/oauth-authorization-server`)
    ).json()
    expect(metadata).toMatchObject({
      token_endpoint_auth_methods_supported: ['attest_jwt_client_auth'],
      client_attestation_signing_alg_values_supported: ['ES256', 'ES384', 'EdDSA'],
      client_attestation_pop_signing_alg_values_supported: ['ES256', 'ES384', 'EdDSA'],
      'pre-authorized_grant_anonymous_access_supported': false,
    })
    const anonymous = await tokenRequest(b, {})
    expect([anonymous.status, anonymous.body.error]).toEqual([400, 'invalid_client'])
    expect(anonymous.body.error_description).toContain('requires a wallet attestation')
  })

  it('oauth4webapi gets a DPoP-bound token with an x5c wallet attestation', async () => {
    const instance = new SenderKey()
    const { as, client, DPoP, options } = await oauthClient(credentialIssuer, (url) => local(a, url))
    const attestation = walletAttestation(provider, instance, { x5c })
    const clientAuth: oauth.ClientAuth = (server, _client, body, headers) => {
      body.set('client_id', 'wallet-client')
      headers.set('OAuth-Client-Attestation', attestation)
      headers.set('OAuth-Client-Attestation-PoP', attestationPop(instance, server.issuer))
    }
    const created = await a.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'Ada' },
    })
    const code = parseOffer(created.body.uri).code
    const redeem = async () =>
      oauth.processGenericTokenEndpointResponse(
        as,
        client,
        await oauth.genericTokenEndpointRequest(
          as,
          client,
          clientAuth,
          PRE_AUTHORIZED,
          { 'pre-authorized_code': code },
          {
            DPoP,
            ...options,
          },
        ),
      )
    const token = await redeem().catch((error) => {
      if (!oauth.isDPoPNonceError(error)) throw error
      return redeem() // a fresh PoP (new jti) and the nonce oauth4webapi kept
    })
    expect(token.token_type).toBe('dpop')
  })

  it('takes an attestation signed by a trusted JWK, and one whose PoP carries a live challenge', async () => {
    const instance = new SenderKey()
    const attestation = walletAttestation(jwkProvider, instance, { kid: 'p1' })
    const first = await tokenRequest(b, attested(attestation, attestationPop(instance, credentialIssuer)))
    expect([first.status, first.body.token_type]).toEqual([200, 'Bearer'])
    const challenge = first.headers.get('oauth-client-attestation-challenge') as string
    expect(challenge).toEqual(expect.any(String))
    const withChallenge = await tokenRequest(
      a,
      attested(attestation, attestationPop(instance, credentialIssuer, { challenge })),
    )
    expect(withChallenge.status).toBe(200)
    const stale = await tokenRequest(
      a,
      attested(attestation, attestationPop(instance, credentialIssuer, { challenge: 'made-up' })),
    )
    expect([stale.status, stale.body.error]).toEqual([400, 'use_attestation_challenge'])
    expect(stale.headers.get('oauth-client-attestation-challenge')).toEqual(expect.any(String))
  })

  it('refuses untrusted, expired, mismatched and replayed attestations with invalid_client', async () => {
    const instance = new SenderKey()
    const good = walletAttestation(provider, instance, { x5c })
    const pop = () => attestationPop(instance, credentialIssuer)
    const stranger = new SenderKey()
    const cases: [string, Record<string, string>, Record<string, string>, string][] = [
      [
        'untrusted signer',
        attested(walletAttestation(stranger, instance), pop()),
        {},
        'not signed by a wallet provider',
      ],
      [
        'x5c signed by another key',
        attested(walletAttestation(stranger, instance, { x5c }), pop()),
        {},
        'does not verify',
      ],
      [
        'expired attestation',
        attested(walletAttestation(provider, instance, { x5c, exp: Math.floor(Date.now() / 1000) - 600 }), pop()),
        {},
        'expired',
      ],
      ['PoP by another key', attested(good, attestationPop(stranger, credentialIssuer)), {}, "'cnf.jwk'"],
      ['PoP for another server', attested(good, attestationPop(instance, `${PUBLIC}/oid4vci/other`)), {}, "'aud'"],
      [
        'stale PoP',
        attested(good, attestationPop(instance, credentialIssuer, { iat: Math.floor(Date.now() / 1000) - 600 })),
        {},
        "'iat'",
      ],
      [
        'PoP for another client',
        attested(good, attestationPop(instance, credentialIssuer, { clientId: 'x' })),
        {},
        "'iss'",
      ],
      ['client_id mismatch', attested(good, pop()), { client_id: 'someone-else' }, 'client_id'],
      ['PoP without attestation', { 'oauth-client-attestation-pop': pop() }, {}, 'both'],
    ]
    for (const [what, headers, form, message] of cases) {
      const answer = await tokenRequest(a, headers, form)
      expect({ what, status: answer.status, error: answer.body.error }).toEqual({
        what,
        status: 400,
        error: 'invalid_client',
      })
      expect(answer.body.error_description).toContain(message)
    }

    const replayedPop = pop()
    expect((await tokenRequest(a, attested(good, replayedPop))).status).toBe(200)
    const replay = await tokenRequest(b, attested(good, replayedPop))
    expect([replay.status, replay.body.error]).toEqual([400, 'invalid_client'])
    expect(replay.body.error_description).toContain('used before')
  })

  it('binds the refresh token to the attested instance key: another instance of the same wallet is invalid_grant', async () => {
    const created = { body: await deferredOffer(a, key, issuerId) }
    const instance = new SenderKey()
    const headers = () => attested(walletAttestation(jwkProvider, instance), attestationPop(instance, credentialIssuer))
    const first = await fetch(local(a, `${credentialIssuer}/token`), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers() },
      body: new URLSearchParams({
        grant_type: PRE_AUTHORIZED,
        'pre-authorized_code': parseOffer(created.body.uri).code,
      }),
    })
    const refreshToken = ((await first.json()) as { refresh_token: string }).refresh_token
    const refresh = async (attestation: Record<string, string>) => {
      const response = await fetch(local(b, `${credentialIssuer}/token`), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...attestation },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
      })
      return {
        status: response.status,
        body: (await response.json()) as { error?: string; error_description?: string },
      }
    }
    const other = new SenderKey()
    const foreign = await refresh(
      attested(walletAttestation(jwkProvider, other), attestationPop(other, credentialIssuer)),
    )
    expect([foreign.status, foreign.body.error]).toEqual([400, 'invalid_grant'])
    expect(foreign.body.error_description).toContain('client instance')
    expect((await refresh(headers())).status).toBe(200)
  })

  it('stops trusting a removed wallet provider at once on the instance that removed it', async () => {
    const instance = new SenderKey()
    const attestation = walletAttestation(jwkProvider, instance)
    expect((await a.call('DELETE', '/wallet-providers/other-wallet', key)).status).toBe(204)
    const refused = await tokenRequest(a, attested(attestation, attestationPop(instance, credentialIssuer)))
    expect([refused.status, refused.body.error]).toEqual([400, 'invalid_client'])
    expect((await a.call('GET', '/wallet-providers/other-wallet', key)).status).toBe(404)
  })
})
