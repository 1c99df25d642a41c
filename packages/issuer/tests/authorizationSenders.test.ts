import { randomBytes } from 'node:crypto'
import { REDIS_URL } from '@attesto/testing'
import { calculateJwkThumbprint, decodeJwt, exportJWK } from 'jose'
import * as oauth from 'oauth4webapi'
import { createIssuerApp } from '../src/app.js'
import { issuerPair, roundRobin, sharedInstanceEnv } from './support/issuerFixture.js'
import { LoginBrowser } from './support/LoginBrowser.js'
import { OAuthWallet, verifySdJwtVc, WALLET_REDIRECT_URI, type WalletSender } from './support/OAuthWallet.js'
import { freePort, startOpenIdProvider } from './support/openIdProvider.js'
import { attestationClientAuth, SenderKey, walletAttestation } from './support/senderKeys.js'

// DPoP (RFC 9449) and wallet attestation (draft -07) in the authorization code flow, on two
// instances sharing PostgreSQL, Redis and one public URL: the wallet is oauth4webapi with its own
// DPoP keys, the tenant's provider is oidc-provider. The sender proven at PAR binds the code, the
// tokens and the refresh token family; a refusal for another key leaves the code and the family
// usable by the right one.

const PUBLIC = 'http://issuer.test'
type Service = Awaited<ReturnType<typeof issuerPair>>['a']

/** A DPoP key held by oauth4webapi: its handle and its RFC 7638 thumbprint. */
async function dpopKey(): Promise<{ DPoP: oauth.DPoPHandle; jkt: string }> {
  const pair = await oauth.generateKeyPair('ES256')
  const jkt = await calculateJwkThumbprint(await exportJWK(pair.publicKey))
  return { DPoP: oauth.DPoP({}, pair), jkt }
}

/** The OAuth error a refused token or PAR response carries. */
async function refusal(response: Response) {
  return [response.status, ((await response.json()) as { error?: string }).error]
}

/** The OAuth error of a refused PAR. */
async function parRefusal(client: OAuthWallet, parameters: Record<string, string>) {
  const answer = await client.pushRaw(parameters)
  return [answer.status, answer.body.error]
}

const cnfOf = (accessToken: string) => decodeJwt(accessToken).cnf

describe('DPoP and wallet attestation in the authorization code flow', () => {
  // The tenant's provider listens on 127.0.0.1, which the guarded HTTP client refuses otherwise.
  const env = sharedInstanceEnv(PUBLIC, 'attesto-senders', { WEBHOOK_ALLOW_INSECURE: 'true' })
  let a: Service
  let b: Service
  let key = ''
  /** Three issuers of one tenant (one provider): DPoP optional, DPoP required, attestation required. */
  const ids = { optional: '', dpop: '', attested: '' }
  const walletProvider = new SenderKey()
  let provider: Awaited<ReturnType<typeof startOpenIdProvider>>
  /** The load balancer: the public URL to each instance in turn. */
  const { route, balanced } = roundRobin(PUBLIC, () => [a, b])
  const credentialIssuer = (id: string) => `${PUBLIC}/oid4vci/${id}`
  const wallet = (id: string, sender: WalletSender = {}) =>
    new OAuthWallet(credentialIssuer(id), balanced, 'wallet-client', sender)
  /** PAR (with `extra` parameters) and ada's login: the code and what its token request needs. */
  const authorize = (client: OAuthWallet, extra: Record<string, string> = {}) =>
    client.authorize(new LoginBrowser(route), 'ada', { scope: 'pass' }, undefined, extra)
  const pushed = {
    response_type: 'code',
    redirect_uri: WALLET_REDIRECT_URI,
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    scope: 'pass',
  }

  /** A credential for the access token, through `client`: its disclosed claims and notification id. */
  async function credentialOf(client: OAuthWallet, tokens: oauth.TokenEndpointResponse) {
    const issued = await client.credential(tokens.access_token, tokens.c_nonce as string, 'pass')
    expect([issued.status, issued.body.error_description]).toEqual([200, undefined])
    const credential = (issued.body.credentials as { credential: string }[])[0]?.credential as string
    return { claims: (await verifySdJwtVc(credential)).claims, notificationId: issued.body.notification_id as string }
  }

  beforeAll(async () => {
    ;({ a, b, key, issuerId: ids.optional } = await issuerPair(createIssuerApp, env, 'Senders'))
    for (const [name, setting] of [
      ['dpop', { dpop: 'required' }],
      ['attested', { clientAttestation: 'required' }],
    ] as const) {
      ids[name] = (await a.call('POST', '/issuers', key, setting)).body.issuerId as string
      const pass = await a.call('PUT', `/issuers/${ids[name]}/credential-configurations/pass`, key, {
        vct: 'https://issuer.test/pass',
        claims: [{ name: 'given_name', type: 'string', required: true }],
      })
      expect(pass.status).toBe(200)
    }
    expect((await b.call('GET', `/issuers/${ids.dpop}`, key)).body.dpop).toBe('required')
    const trusted = await a.call('PUT', '/wallet-providers/example-wallet', key, { jwk: walletProvider.jwk })
    expect(trusted.status).toBe(200)
    const port = await freePort()
    const clientSecret = randomBytes(24).toString('base64url')
    const set = await b.call('PUT', '/identity-provider', key, {
      issuer: `http://127.0.0.1:${port}`,
      clientId: 'attesto',
      clientAuth: { method: 'client_secret_basic', clientSecret },
      scopes: ['profile'],
      claimsSources: { '*': { type: 'id_token', mapping: { given_name: 'given_name' } } },
    })
    expect(set.status).toBe(201)
    const redirect_uris = Object.values(ids).map((id) => `${credentialIssuer(id)}/authorize/callback`)
    provider = await startOpenIdProvider(
      port,
      [
        {
          client_id: 'attesto',
          client_secret: clientSecret,
          token_endpoint_auth_method: 'client_secret_basic',
          redirect_uris,
        },
      ],
      [{ sub: 'ada', given_name: 'Ada' }],
    )
  }, 120_000)
  afterAll(async () => {
    await provider?.close()
    await b?.close()
    await a?.close()
  })

  it('runs PAR, login, token and credential with DPoP where it is required; a refresh with the key gives a working token', async () => {
    const dpop = await dpopKey()
    const client = wallet(ids.dpop, dpop)
    const { server, parameters, codeVerifier } = await authorize(client)
    const response = await client.tokenRaw(server, parameters, codeVerifier)
    expect(((await response.clone().json()) as { token_type: string }).token_type).toBe('DPoP')
    const tokens = await oauth.processAuthorizationCodeResponse(server, client.client, response)
    expect(cnfOf(tokens.access_token)).toEqual({ jkt: dpop.jkt })
    const { claims, notificationId } = await credentialOf(client, tokens)
    expect(claims).toEqual({ given_name: 'Ada' })

    const refreshed = await client.refresh(server, tokens.refresh_token as string)
    expect(refreshed.token_type).toBe('dpop')
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token)
    expect(cnfOf(refreshed.access_token)).toEqual({ jkt: dpop.jkt })
    // The refreshed token is DPoP-bound: as a Bearer token it is refused, with its key it is taken.
    expect(await wallet(ids.dpop).notify(refreshed.access_token, notificationId)).toBe(401)
    expect(await client.notify(refreshed.access_token, notificationId)).toBe(204)
    // It names the same offer, whose one credential was issued: a second one is refused, not the token.
    const again = await client.credential(refreshed.access_token, refreshed.c_nonce as string, 'pass')
    expect([again.status, again.body.error]).toEqual([400, 'credential_request_denied'])
    // Where DPoP is required, PAR without a proof is refused before any login.
    expect(await parRefusal(wallet(ids.dpop), pushed)).toEqual([400, 'invalid_dpop_proof'])
  })

  it('binds the code to the DPoP key of PAR: another key is invalid_grant and the code stays redeemable', async () => {
    const [keyA, keyB] = [await dpopKey(), await dpopKey()]
    const client = wallet(ids.dpop, keyA)
    const { server, parameters, codeVerifier } = await authorize(client)
    const other = await wallet(ids.dpop, keyB).tokenRaw(server, parameters, codeVerifier)
    expect(await refusal(other)).toEqual([400, 'invalid_grant'])
    const tokens = await client.token(server, parameters, codeVerifier)
    expect(cnfOf(tokens.access_token)).toEqual({ jkt: keyA.jkt })
    // Redeemed now: the same code again is refused even with the right key.
    expect(await refusal(await client.tokenRaw(server, parameters, codeVerifier))).toEqual([400, 'invalid_grant'])
  })

  it('binds the code by dpop_jkt at PAR without a proof; a dpop_jkt that is not the proof’s key is invalid_dpop_proof', async () => {
    const [keyA, keyB] = [await dpopKey(), await dpopKey()]
    const plain = wallet(ids.optional)
    const { server, parameters, codeVerifier } = await authorize(plain, { dpop_jkt: keyA.jkt })
    expect(await refusal(await plain.tokenRaw(server, parameters, codeVerifier))).toEqual([400, 'invalid_grant'])
    const other = await wallet(ids.optional, keyB).tokenRaw(server, parameters, codeVerifier)
    expect(await refusal(other)).toEqual([400, 'invalid_grant'])
    const tokens = await wallet(ids.optional, keyA).token(server, parameters, codeVerifier)
    expect(tokens.token_type).toBe('dpop')
    expect(cnfOf(tokens.access_token)).toEqual({ jkt: keyA.jkt })

    expect(await parRefusal(wallet(ids.optional, keyA), { ...pushed, dpop_jkt: keyB.jkt })).toEqual([
      400,
      'invalid_dpop_proof',
    ])
    expect(await parRefusal(plain, { ...pushed, dpop_jkt: 'not-a-thumbprint' })).toEqual([400, 'invalid_request'])
  })

  it('requires the wallet attestation at PAR, of the client named, and binds the family to its instance key', async () => {
    const dpop = await dpopKey()
    const instance = new SenderKey()
    const attested = (of: SenderKey, sub = 'wallet-client') =>
      wallet(ids.attested, {
        ...dpop,
        clientAuth: attestationClientAuth(walletAttestation(walletProvider, of, { clientId: sub }), of, sub),
      })
    expect(await parRefusal(wallet(ids.attested, dpop), pushed)).toEqual([400, 'invalid_client'])
    expect(await parRefusal(attested(instance, 'other-client'), pushed)).toEqual([400, 'invalid_client'])

    const client = attested(instance)
    const { server, parameters, codeVerifier } = await authorize(client)
    const tokens = await client.token(server, parameters, codeVerifier)
    expect(cnfOf(tokens.access_token)).toEqual({ jkt: dpop.jkt })
    expect((await credentialOf(client, tokens)).claims).toEqual({ given_name: 'Ada' })

    const refreshToken = tokens.refresh_token as string
    const unattested = await wallet(ids.attested, dpop).refreshRaw(server, refreshToken)
    expect(await refusal(unattested)).toEqual([400, 'invalid_client'])
    const otherInstance = await attested(new SenderKey()).refreshRaw(server, refreshToken)
    expect(await refusal(otherInstance)).toEqual([400, 'invalid_grant'])
    // Neither refusal revoked the family: the right instance and DPoP key rotate it.
    const refreshed = await client.refresh(server, refreshToken)
    expect(cnfOf(refreshed.access_token)).toEqual({ jkt: dpop.jkt })
    expect(await client.refresh(server, refreshed.refresh_token as string)).toMatchObject({ token_type: 'dpop' })
  })

  it('refuses a refresh token of a DPoP-bound family with another key (invalid_grant) and still rotates it with its key', async () => {
    const dpop = await dpopKey()
    const client = wallet(ids.dpop, dpop)
    const { server, parameters, codeVerifier } = await authorize(client)
    const tokens = await client.token(server, parameters, codeVerifier)
    const other = await wallet(ids.dpop, await dpopKey()).refreshRaw(server, tokens.refresh_token as string)
    expect(await refusal(other)).toEqual([400, 'invalid_grant'])
    const refreshed = await client.refresh(server, tokens.refresh_token as string)
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token)
    expect(cnfOf(refreshed.access_token)).toEqual({ jkt: dpop.jkt })
    // The rotated token is spent: presented again (with the right key) it revokes the family.
    expect(await refusal(await client.refreshRaw(server, tokens.refresh_token as string))).toEqual([
      400,
      'invalid_grant',
    ])
    expect(await refusal(await client.refreshRaw(server, refreshed.refresh_token as string))).toEqual([
      400,
      'invalid_grant',
    ])
  })
})
