import { createServer, type Server } from 'node:http'
import { verifyWebhookSignature } from '@attesto/agent-runtime'
import { silentLogger, type startService, waitFor } from '@attesto/testing'
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose'
import * as oauth from 'oauth4webapi'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { loadAuthorizationConfig } from '../src/authorization/authorizationConfig.js'
import { startExternalAuthorizationServer } from './support/externalAuthorizationServer.js'
import { issuerPair, roundRobin, sharedInstanceEnv } from './support/issuerFixture.js'
import { LoginBrowser } from './support/LoginBrowser.js'
import { OAuthWallet, verifySdJwtVc, WALLET_REDIRECT_URI } from './support/OAuthWallet.js'
import { freePort } from './support/openIdProvider.js'

// A tenant's own authorization server in front of the issuer (HAIP 1.0 §4, OID4VCI 1.0
// `authorization_servers`), with nothing of ours on the other sides: oidc-provider issues RFC 9068
// JWT access tokens, DPoP-bound, for the credential issuer (resource indicators); the wallet is
// oauth4webapi with jose proofs; the credential is checked with jose. Two issuer instances share
// one schema and one public URL, each request going to the other one.

type Service = Awaited<ReturnType<typeof startService<IssuerRuntime>>>

const PUBLIC = 'http://issuer.test'
const ACCOUNTS = [
  { sub: 'ada', given_name: 'Ada', member_number: 'M-1' },
  { sub: 'bob', given_name: 'Bob', member_number: 'M-2' },
]

async function signingKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true })
  return { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' }
}

describe('an external authorization server (oidc-provider, JWT access tokens), two issuer instances', () => {
  const env = sharedInstanceEnv(PUBLIC, 'extas', { WEBHOOK_ALLOW_INSECURE: 'true' })
  /** Instances that fetch a server's JWKS again for an unknown kid after 1 s (default 30 s). */
  const create: typeof createIssuerApp = (config, logger) =>
    createIssuerApp(
      config,
      logger,
      undefined,
      undefined,
      undefined,
      loadAuthorizationConfig({ AUTHORIZATION_SERVER_JWKS_REFETCH_SECONDS: '1' }),
    )
  let a: Service
  let b: Service
  let key = ''
  let issuerId = ''
  let port = 0
  let keyA: JWK
  let server: Awaited<ReturnType<typeof startExternalAuthorizationServer>>
  let claimsEndpoint: Server
  const claimsRequests: { signed: boolean; body: Record<string, unknown> }[] = []
  const { route, balanced } = roundRobin(PUBLIC, () => [a, b])
  const credentialIssuer = () => `${PUBLIC}/oid4vci/${issuerId}`

  const startServer = (keys: JWK[]) =>
    startExternalAuthorizationServer({
      port,
      resource: credentialIssuer(),
      clientId: 'wallet-client',
      redirectUri: WALLET_REDIRECT_URI,
      scopes: ['pass', 'member', 'late'],
      signingKeys: keys,
      accounts: ACCOUNTS,
      accessTokenTtlSeconds: 300,
    })

  /** A DPoP wallet: PAR, login and token at the external server; answers the wallet and its token response. */
  async function walletWithToken(login: string, scope: string) {
    const wallet = new OAuthWallet(credentialIssuer(), balanced, 'wallet-client', {
      DPoP: oauth.DPoP({}, await oauth.generateKeyPair('ES256')),
    })
    const metadata = (await (
      await balanced(`${PUBLIC}/.well-known/openid-credential-issuer/oid4vci/${issuerId}`)
    ).json()) as { authorization_servers: string[] }
    wallet.authorizationServer = metadata.authorization_servers.find((url) => url !== credentialIssuer())
    const authorized = await wallet.authorize(new LoginBrowser(route), login, { scope })
    const tokens = await wallet.token(authorized.server, authorized.parameters, authorized.codeVerifier)
    return { wallet, tokens }
  }

  beforeAll(async () => {
    ;({ a, b, key, issuerId } = await issuerPair(create, env, 'External authorization server'))
    const configuration = (id: string, deferred: boolean) =>
      a.call('PUT', `/issuers/${issuerId}/credential-configurations/${id}`, key, {
        vct: `https://issuer.test/${id}`,
        deferred,
        claims: [{ name: 'member_number', type: 'string', required: true }],
      })
    expect((await configuration('member', false)).status).toBe(200)
    expect((await configuration('late', true)).status).toBe(200)
    port = await freePort()
    const claimsPort = await freePort()
    const set = await b.call('PUT', `/issuers/${issuerId}/authorization-server`, key, {
      issuer: `http://127.0.0.1:${port}`,
      claimsSources: {
        pass: { type: 'access_token', mapping: { given_name: 'given_name' } },
        member: { type: 'endpoint', url: `http://127.0.0.1:${claimsPort}/claims` },
        late: { type: 'deferred' },
      },
    })
    expect(set.status).toBe(201)
    const secret = set.body.claimsEndpointSecret as string
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    // The tenant's claims endpoint: checks the signature, answers the subject's member number.
    claimsEndpoint = createServer(async (request, response) => {
      const chunks: Buffer[] = []
      for await (const chunk of request) chunks.push(chunk as Buffer)
      const text = Buffer.concat(chunks).toString('utf8')
      const parsed = JSON.parse(text) as Record<string, unknown>
      const signed = verifyWebhookSignature(secret, String(request.headers['attesto-signature']), text)
      claimsRequests.push({ signed, body: parsed })
      response.statusCode = signed ? 200 : 401
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify({ claims: { member_number: `No. ${parsed.subject}` } }))
    }).listen(claimsPort, '127.0.0.1')
    a.runtime.deferredClaims?.startWorking(a.runtime.offers.sessions, silentLogger)
    keyA = await signingKey('key-a')
    server = await startServer([keyA])
  }, 60_000)

  afterAll(async () => {
    await server?.close()
    claimsEndpoint?.close()
    await b?.close()
    await a?.close()
  })

  it('lists the external server beside its own in authorization_servers; offers name the own one', async () => {
    const metadata = (await (
      await balanced(`${PUBLIC}/.well-known/openid-credential-issuer/oid4vci/${issuerId}`)
    ).json()) as Record<string, unknown>
    expect(metadata.authorization_servers).toEqual([credentialIssuer(), server.issuer])
    const made = await a.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'Grace' },
    })
    expect(made.status).toBe(201)
    const offer = JSON.parse(new URL(made.body.uri).searchParams.get('credential_offer') as string)
    expect(offer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code'].authorization_server).toBe(
      credentialIssuer(),
    )
    const got = await a.call('GET', `/issuers/${issuerId}/authorization-server`, key)
    expect(got.status).toBe(200)
    expect(got.body.claimsEndpointSecret).toBeUndefined()
    expect(got.body.ownAuthorizationServer).toBe(true)
  })

  it('issues with its DPoP-bound JWT access token: claims from the token, once per token', async () => {
    const { wallet, tokens } = await walletWithToken('ada', 'pass')
    expect(tokens.token_type).toBe('dpop')
    expect(decodeProtectedHeader(tokens.access_token).typ).toBe('at+jwt')
    const claims = decodeJwt(tokens.access_token)
    expect(claims).toMatchObject({ iss: server.issuer, aud: credentialIssuer(), sub: 'ada', scope: 'pass' })
    expect((claims.cnf as { jkt?: string }).jkt).toEqual(expect.any(String))

    const issued = await wallet.credential(tokens.access_token, await wallet.cNonce(balanced), {
      configurationId: 'pass',
    })
    expect(issued.status).toBe(200)
    const credential = (issued.body.credentials as { credential: string }[])[0]?.credential as string
    const verified = await verifySdJwtVc(credential)
    expect(verified.claims).toEqual({ given_name: 'Ada' })
    expect((verified.payload.cnf as { jwk: { x: string } }).jwk.x).toBe(issued.jwk.x)
    expect(await wallet.notify(tokens.access_token, issued.body.notification_id as string)).toBe(204)

    const again = await wallet.credential(tokens.access_token, await wallet.cNonce(balanced), {
      configurationId: 'pass',
    })
    expect(again.status).toBe(400)
    expect(again.body.error).toBe('credential_request_denied')
    const offers = await a.call('GET', `/offers?credentialConfigurationId=pass&status=credential_accepted`, key)
    expect(offers.body.offers).toEqual([
      expect.objectContaining({ authorizationServer: server.issuer, subject: 'ada', issuerId }),
    ])
  })

  it('refuses its DPoP-bound token presented as Bearer, and a configuration the token does not grant', async () => {
    const { wallet, tokens } = await walletWithToken('bob', 'pass')
    const bearer = await balanced(`${credentialIssuer()}/credential`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ credential_configuration_id: 'pass' }),
    })
    expect(bearer.status).toBe(401)
    expect(bearer.headers.get('www-authenticate')).toMatch(/error="invalid_token"/)
    const other = await wallet.credential(tokens.access_token, await wallet.cNonce(balanced), {
      configurationId: 'member',
    })
    expect(other.status).toBe(400)
    expect(other.body.error).toBe('unknown_credential_identifier')
  })

  it('asks the tenant’s claims endpoint for the token’s subject (signed), and defers a deferred configuration', async () => {
    const { wallet, tokens } = await walletWithToken('bob', 'member')
    const issued = await wallet.credential(tokens.access_token, await wallet.cNonce(balanced), {
      configurationId: 'member',
    })
    expect(issued.status).toBe(200)
    const credential = (issued.body.credentials as { credential: string }[])[0]?.credential as string
    expect((await verifySdJwtVc(credential)).claims).toEqual({ member_number: 'No. bob' })
    expect(claimsRequests).toEqual([
      {
        signed: true,
        body: expect.objectContaining({
          issuerId,
          credentialConfigurationId: 'member',
          subject: 'bob',
          accessTokenClaims: expect.objectContaining({ sub: 'bob', iss: server.issuer, member_number: 'M-2' }),
        }),
      },
    ])

    const later = await walletWithToken('ada', 'late')
    const pending = await later.wallet.credential(later.tokens.access_token, await later.wallet.cNonce(balanced), {
      configurationId: 'late',
    })
    expect(pending.status).toBe(202)
    const transactionId = pending.body.transaction_id as string
    const listed = await b.call('GET', '/offers?credentialConfigurationId=late&status=credential_pending', key)
    const offer = (listed.body.offers as { offerId: string; subject: string }[])[0]
    expect(offer?.subject).toBe('ada')
    const approved = await a.call('PUT', `/offers/${offer?.offerId}/claims`, key, { claims: { member_number: 'L-7' } })
    expect(approved.status).toBe(202)
    const collected = await waitFor(async () => {
      const response = await later.wallet.resource(later.tokens.access_token, 'deferred-credential', {
        transaction_id: transactionId,
      })
      return response.status === 200 ? response : undefined
    }, 'the deferred credential')
    const body = (await collected.json()) as { credentials: { credential: string }[] }
    expect((await verifySdJwtVc(body.credentials[0]?.credential as string)).claims).toEqual({ member_number: 'L-7' })
  })

  it('takes tokens of a key rotated in at the server: the JWKS is fetched again for the unknown kid', async () => {
    await server.close()
    await new Promise((resolve) => setTimeout(resolve, 1_100)) // past the refetch interval
    const keyB = await signingKey('key-b')
    server = await startServer([keyB, keyA])
    // Both instances hold key-a only: each fetches the new set once (the balancer sends one wallet to each).
    for (const login of ['ada', 'bob']) {
      const { wallet, tokens } = await walletWithToken(login, 'pass')
      expect(decodeProtectedHeader(tokens.access_token).kid).toBe('key-b')
      const issued = await wallet.credential(tokens.access_token, await wallet.cNonce(balanced), {
        configurationId: 'pass',
      })
      expect(issued.status).toBe(200)
    }
  })
})
