import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { verifyWebhookSignature } from '@attesto/agent-runtime'
import { holderAgent, REDIS_URL, silentLogger, type startService, waitFor } from '@attesto/testing'
import { Kms } from '@credo-ts/core'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { issuerPair, roundRobin, sharedInstanceEnv, tenantWithIssuer } from './support/issuerFixture.js'
import { LoginBrowser } from './support/LoginBrowser.js'
import { type CredentialAsk, OAuthWallet, verifySdJwtVc, WALLET_REDIRECT_URI } from './support/OAuthWallet.js'
import { freePort, startOpenIdProvider } from './support/openIdProvider.js'

// The authorization code flow (HAIP 1.0 §4) end to end, with nothing of ours on the other
// sides: the tenant's OpenID provider is oidc-provider (its login and consent pages driven over
// HTTP), the wallet is oauth4webapi with a jose proof, the credential is checked with jose and
// SHA-256 digests. Two issuer instances share one PostgreSQL schema and one public URL; every
// request of the wallet and the browser goes to the other instance than the one before.

type Service = Awaited<ReturnType<typeof startService<IssuerRuntime>>>

const PUBLIC = 'http://issuer.test'
const CLIENT_SECRET = randomBytes(24).toString('base64url')
const ACCOUNTS = [
  { sub: 'ada', given_name: 'Ada', family_name: 'Lovelace' },
  { sub: 'bob', given_name: 'Bob', family_name: 'Builder' },
]

describe('authorization code flow, two instances, oidc-provider as the tenant’s provider', () => {
  const env = sharedInstanceEnv(PUBLIC, 'test', { WEBHOOK_ALLOW_INSECURE: 'true' })
  let a: Service
  let b: Service
  let key = ''
  let issuerId = ''
  /** A second tenant: private_key_jwt at the provider, claims from its claims endpoint. */
  let kms = { key: '', issuerId: '' }
  let provider: Awaited<ReturnType<typeof startOpenIdProvider>>
  let claimsEndpoint: Server
  const claimsRequests: { signed: boolean; subject: string }[] = []
  /** The load balancer: the public URL to each instance in turn. */
  const { route, balanced } = roundRobin(PUBLIC, () => [a, b])
  const credentialIssuer = (id: string) => `${PUBLIC}/oid4vci/${id}`

  /** The whole flow for `login`, the credential (configuration id = identifier) checked with jose: its disclosed claims. */
  async function loginAndIssue(id: string, login: string, ask: CredentialAsk, issuerState?: string) {
    const wallet = new OAuthWallet(credentialIssuer(id), balanced)
    const authorized = await wallet.authorize(new LoginBrowser(route), login, ask, issuerState)
    const tokens = await wallet.token(authorized.server, authorized.parameters, authorized.codeVerifier)
    const identifier = 'scope' in ask ? ask.scope : ask.configurationId
    const issued = await wallet.credential(tokens.access_token, tokens.c_nonce as string, identifier)
    expect(issued.status).toBe(200)
    const credential = (issued.body.credentials as { credential: string }[])[0]?.credential as string
    return (await verifySdJwtVc(credential)).claims
  }

  beforeAll(async () => {
    ;({ a, b, key, issuerId } = await issuerPair(createIssuerApp, env, 'Authorization'))
    const card = await a.call('PUT', `/issuers/${issuerId}/credential-configurations/card`, key, {
      vct: 'https://issuer.test/card',
      scope: 'membership_card',
      claims: [
        { name: 'given_name', type: 'string', required: true },
        { name: 'family_name', type: 'string' },
      ],
    })
    expect(card.status).toBe(200)
    for (const [id, extra] of [
      ['member', {}],
      ['late', { deferred: true }],
    ] as const) {
      const made = await a.call('PUT', `/issuers/${issuerId}/credential-configurations/${id}`, key, {
        vct: `https://issuer.test/${id}`,
        claims: [{ name: 'given_name', type: 'string', required: true }],
        ...extra,
      })
      expect(made.status).toBe(200)
    }
    a.runtime.deferredClaims?.startWorking(a.runtime.offers.sessions, silentLogger)
    const port = await freePort()
    const set = await b.call('PUT', '/identity-provider', key, {
      issuer: `http://127.0.0.1:${port}`,
      clientId: 'attesto',
      clientAuth: { method: 'client_secret_basic', clientSecret: CLIENT_SECRET },
      scopes: ['profile'],
      claimsSources: {
        [`${issuerId}/card`]: { type: 'id_token', mapping: { given_name: 'given_name', family_name: 'family_name' } },
        [`${issuerId}/member`]: { type: 'userinfo', mapping: { given_name: 'family_name' } },
        [`${issuerId}/late`]: { type: 'deferred' },
      },
    })
    expect(set.status).toBe(201)
    expect(JSON.stringify(set.body)).not.toContain(CLIENT_SECRET)

    kms = await tenantWithIssuer(a, {
      label: 'Kms client',
      configurationId: 'pass',
      vct: 'https://issuer.test/pass',
      claims: [{ name: 'given_name', type: 'string', required: true }],
    })
    const claimsPort = await freePort()
    const kmsProvider = await a.call('PUT', '/identity-provider', kms.key, {
      issuer: `http://127.0.0.1:${port}`,
      clientId: 'attesto-kms',
      clientAuth: { method: 'private_key_jwt' },
      claimsSources: { '*': { type: 'endpoint', url: `http://127.0.0.1:${claimsPort}/claims` } },
    })
    expect(kmsProvider.status).toBe(201)
    const secret = kmsProvider.body.claimsEndpointSecret as string
    claimsEndpoint = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk) => (body += chunk))
      request.on('end', () => {
        const signed = verifyWebhookSignature(secret, request.headers['attesto-signature'] as string, body)
        const { subject } = JSON.parse(body) as { subject: string }
        claimsRequests.push({ signed, subject })
        response.writeHead(signed ? 200 : 401, { 'content-type': 'application/json' })
        response.end(JSON.stringify({ claims: { given_name: `Member ${subject}` } }))
      })
    }).listen(claimsPort, '127.0.0.1')

    provider = await startOpenIdProvider(
      port,
      [
        {
          client_id: 'attesto',
          client_secret: CLIENT_SECRET,
          token_endpoint_auth_method: 'client_secret_basic',
          redirect_uris: [`${credentialIssuer(issuerId)}/authorize/callback`],
        },
        {
          client_id: 'attesto-kms',
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [kmsProvider.body.clientAuth.publicJwk] },
          redirect_uris: [`${credentialIssuer(kms.issuerId)}/authorize/callback`],
        },
      ],
      ACCOUNTS,
    )
  }, 60_000)
  afterAll(async () => {
    await provider?.close()
    claimsEndpoint?.close()
    await b?.close()
    await a?.close()
  })

  it('advertises the authorization server (RFC 8414) and a scope per configuration', async () => {
    const server = await new OAuthWallet(credentialIssuer(issuerId), balanced).server()
    expect(server).toMatchObject({
      issuer: credentialIssuer(issuerId),
      pushed_authorization_request_endpoint: `${credentialIssuer(issuerId)}/par`,
      require_pushed_authorization_requests: true,
      authorization_endpoint: `${credentialIssuer(issuerId)}/authorize`,
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      response_types_supported: ['code'],
    })
    expect(server.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']))
    const metadata = (await (
      await balanced(`${PUBLIC}/.well-known/openid-credential-issuer/oid4vci/${issuerId}`)
    ).json()) as { credential_configurations_supported: Record<string, { scope: string }> }
    expect(metadata.credential_configurations_supported.pass?.scope).toBe('pass')
    expect(metadata.credential_configurations_supported.card?.scope).toBe('membership_card')
  })

  it('issues to a wallet that asks by scope: the claims come from the ID token of the user’s login', async () => {
    const wallet = new OAuthWallet(credentialIssuer(issuerId), balanced)
    const browser = new LoginBrowser(route)
    const { server, parameters, codeVerifier, redirect } = await wallet.authorize(browser, 'ada', {
      scope: 'membership_card',
    })
    expect(redirect.searchParams.get('iss')).toBe(credentialIssuer(issuerId))
    expect(browser.visited.some((url) => url.startsWith(provider.issuer))).toBe(true)
    const tokens = await wallet.token(server, parameters, codeVerifier)
    expect(tokens.token_type).toBe('bearer')
    expect(tokens.authorization_details).toEqual([
      { type: 'openid_credential', credential_configuration_id: 'card', credential_identifiers: ['card'] },
    ])
    const issued = await wallet.credential(tokens.access_token, tokens.c_nonce as string, 'card')
    expect(issued.status).toBe(200)
    const credential = (issued.body.credentials as { credential: string }[])[0]?.credential as string
    const { claims, payload } = await verifySdJwtVc(credential)
    expect(claims).toEqual({ given_name: 'Ada', family_name: 'Lovelace' })
    expect(payload.vct).toBe('https://issuer.test/card')
    expect((payload.cnf as { jwk: { x: string } }).jwk.x).toBe(issued.jwk.x)
  })

  it('issues an offer with the authorization_code grant to the first login with its issuer_state, once', async () => {
    const made = await a.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'Grace' },
      grant: 'authorization_code',
    })
    expect(made.status).toBe(201)
    const offer = JSON.parse(new URL(made.body.uri).searchParams.get('credential_offer') as string)
    const issuerState = offer.grants.authorization_code.issuer_state as string
    expect(offer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']).toBeUndefined()
    // The issuer_state is no pre-authorised code.
    const asCode = await balanced(`${credentialIssuer(issuerId)}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code',
        'pre-authorized_code': issuerState,
      }),
    })
    expect(asCode.status).toBe(400)

    const claims = await loginAndIssue(issuerId, 'bob', { configurationId: 'pass' }, issuerState)
    expect(claims).toEqual({ given_name: 'Grace' })
    const status = await b.call('GET', `/offers/${made.body.offerId}`, key)
    expect(status.body.status).toBe('credential_issued')

    // The offer went to that login: its issuer_state is spent.
    const again = await new OAuthWallet(credentialIssuer(issuerId), balanced).pushRaw({
      response_type: 'code',
      redirect_uri: WALLET_REDIRECT_URI,
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      authorization_details: JSON.stringify([{ type: 'openid_credential', credential_configuration_id: 'pass' }]),
      issuer_state: issuerState,
    })
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_request' } })
  })

  it('gives an offer that names a subject to that user only: another login is access_denied', async () => {
    const made = await a.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'Ada' },
      grant: 'authorization_code',
      subject: 'ada',
    })
    const issuerState = JSON.parse(new URL(made.body.uri).searchParams.get('credential_offer') as string).grants
      .authorization_code.issuer_state as string
    const wallet = new OAuthWallet(credentialIssuer(issuerId), balanced)
    const pushed = await wallet.push({ scope: 'pass' }, issuerState)
    const redirect = await new LoginBrowser(route).login(pushed.url, 'bob', WALLET_REDIRECT_URI)
    expect(redirect.searchParams.get('error')).toBe('access_denied')
    expect(redirect.searchParams.get('state')).toBe(pushed.state)
    expect(redirect.searchParams.get('iss')).toBe(credentialIssuer(issuerId))
    expect((await b.call('GET', `/offers/${made.body.offerId}`, key)).body.status).toBe('offered')

    const right = await wallet.authorize(new LoginBrowser(route), 'ada', { scope: 'pass' }, issuerState)
    expect(right.parameters.get('code')).toBeTruthy()
  })

  it('rotates refresh tokens; a rotated one presented again revokes the whole family', async () => {
    const wallet = new OAuthWallet(credentialIssuer(issuerId), balanced)
    const authorized = await wallet.authorize(new LoginBrowser(route), 'ada', { scope: 'membership_card' })
    const first = await wallet.token(authorized.server, authorized.parameters, authorized.codeVerifier)
    const second = await wallet.refresh(authorized.server, first.refresh_token as string)
    expect(second.refresh_token).toBeDefined()
    expect(second.refresh_token).not.toBe(first.refresh_token)
    const third = await wallet.refresh(authorized.server, second.refresh_token as string)

    const reused = await wallet.refreshRaw(authorized.server, first.refresh_token as string)
    expect(reused.status).toBe(400)
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' })
    const revoked = await wallet.refreshRaw(authorized.server, third.refresh_token as string)
    expect(revoked.status).toBe(400)
    expect(await revoked.json()).toMatchObject({ error: 'invalid_grant' })
  })

  it('fills claims from the provider’s userinfo answer when the claims source says so', async () => {
    expect(await loginAndIssue(issuerId, 'bob', { scope: 'member' })).toEqual({ given_name: 'Builder' })
  })

  it('defers a login’s credential until the tenant approves its claims (deferred claims source)', async () => {
    const wallet = new OAuthWallet(credentialIssuer(issuerId), balanced)
    const authorized = await wallet.authorize(new LoginBrowser(route), 'ada', { scope: 'late' })
    const tokens = await wallet.token(authorized.server, authorized.parameters, authorized.codeVerifier)
    const pending = await wallet.credential(tokens.access_token, tokens.c_nonce as string, 'late')
    expect(pending.status).toBe(202)
    const listed = await a.call('GET', `/offers?credentialConfigurationId=late&status=credential_pending`, key)
    const offerId = listed.body.offers[0]?.offerId as string
    expect((await b.call('PUT', `/offers/${offerId}/claims`, key, { claims: { given_name: 'Ada L.' } })).status).toBe(
      202,
    )
    const collect = () =>
      balanced(`${credentialIssuer(issuerId)}/deferred-credential`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ transaction_id: pending.body.transaction_id }),
      })
    const answer = await waitFor(async () => {
      const response = await collect()
      return response.status === 200 ? response : undefined
    }, 'the deferred credential')
    const credential = ((await answer.json()) as { credentials: { credential: string }[] }).credentials[0]?.credential
    expect((await verifySdJwtVc(credential as string)).claims).toEqual({ given_name: 'Ada L.' })
  })

  it('lets Credo’s holder receive an offer through the authorization code flow (scope, PAR, PKCE, issuer_state)', async () => {
    const made = await a.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'Credo' },
      grant: 'authorization_code',
    })
    const holder = await holderAgent({ fetch: balanced })
    try {
      const api = holder.agent.openid4vc.holder
      const resolvedCredentialOffer = await api.resolveCredentialOffer(made.body.uri)
      const authorization = await api.resolveOpenId4VciAuthorizationRequest(resolvedCredentialOffer, {
        clientId: 'credo-wallet',
        redirectUri: WALLET_REDIRECT_URI,
      })
      if (authorization.authorizationFlow !== 'Oauth2Redirect') throw new Error(authorization.authorizationFlow)
      const redirect = await new LoginBrowser(route).login(
        authorization.authorizationRequestUrl,
        'ada',
        WALLET_REDIRECT_URI,
      )
      expect(redirect.searchParams.get('iss')).toBe(credentialIssuer(issuerId))
      const token = await api.requestToken({
        resolvedCredentialOffer,
        code: redirect.searchParams.get('code') as string,
        clientId: 'credo-wallet',
        codeVerifier: authorization.codeVerifier,
        redirectUri: WALLET_REDIRECT_URI,
        // The DPoP key of its PAR, which the code is bound to (RFC 9449 §10).
        dpop: authorization.dpop,
      })
      const { credentials } = await api.requestCredentials({
        resolvedCredentialOffer,
        ...token,
        clientId: 'credo-wallet',
        credentialBindingResolver: async () => {
          const created = await holder.agent.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
          return { method: 'jwk', keys: [Kms.PublicJwk.fromPublicJwk(created.publicJwk)] }
        },
      })
      const record = credentials[0]?.record as { firstCredential: { prettyClaims: Record<string, unknown> } }
      expect(record.firstCredential.prettyClaims.given_name).toBe('Credo')
    } finally {
      await holder.close()
    }
  })

  it('authenticates with private_key_jwt (a key in the tenant’s KMS) and fills claims from the signed claims endpoint', async () => {
    const claims = await loginAndIssue(kms.issuerId, 'bob', { scope: 'pass' })
    expect(claims).toEqual({ given_name: 'Member bob' })
    expect(claimsRequests).toEqual([{ signed: true, subject: 'bob' }])
  })
})
