import { createHash } from 'node:crypto'
import { compactVerify, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose'
import * as oauth from 'oauth4webapi'
import type { LoginBrowser } from './LoginBrowser.js'

export const WALLET_REDIRECT_URI = 'https://wallet.example/callback'

/**
 * How the wallet proves who sends its requests: oauth4webapi's DPoP handle (every PAR, token and
 * resource request then carries a proof of its key, retried once with the server's nonce), and a
 * client authentication at PAR and the token endpoint (default: a public client, `none`).
 */
export interface WalletSender {
  DPoP?: oauth.DPoPHandle
  clientAuth?: oauth.ClientAuth
}

/** Whether a response asks for a DPoP nonce (RFC 9449 §8: 400 `use_dpop_nonce`). */
async function asksDPoPNonce(response: Response): Promise<boolean> {
  if (response.status !== 400) return false
  const body = (await response
    .clone()
    .json()
    .catch(() => ({}))) as { error?: string }
  return body.error === 'use_dpop_nonce'
}

/** What a wallet asks for: a scope value, or one `openid_credential` authorization detail; an offer's issuer_state. */
export type CredentialAsk = { scope: string } | { configurationId: string }

/**
 * An independent OID4VCI wallet made of oauth4webapi (RFC 8414 discovery, PAR, PKCE S256, the
 * authorization response with `iss`, the token and refresh requests, the protected resource
 * request) and jose (the proof of possession). `fetch` stands for the network: it may route the
 * issuer's public URL to any of its instances.
 */
export class OAuthWallet {
  public readonly client: oauth.Client
  private readonly options: {
    [oauth.customFetch]: typeof fetch
    [oauth.allowInsecureRequests]: true
    DPoP?: oauth.DPoPHandle
  }
  private readonly clientAuth: oauth.ClientAuth

  public constructor(
    private readonly credentialIssuer: string,
    fetchFn: typeof fetch,
    clientId = 'wallet-client',
    private readonly sender: WalletSender = {},
  ) {
    this.client = { client_id: clientId }
    this.options = {
      [oauth.customFetch]: fetchFn,
      [oauth.allowInsecureRequests]: true,
      ...(sender.DPoP ? { DPoP: sender.DPoP } : {}),
    }
    this.clientAuth = sender.clientAuth ?? oauth.None()
  }

  /** A request sent again once when it was refused for want of a DPoP nonce (the handle has kept the one answered). */
  private async withNonce(request: () => Promise<Response>): Promise<Response> {
    if (!this.sender.DPoP) return request()
    const first = await request().catch((error: unknown) => {
      if (oauth.isDPoPNonceError(error)) return undefined
      throw error
    })
    return first && !(await asksDPoPNonce(first)) ? first : request()
  }

  /** Another authorization server than the credential issuer's own (one of its `authorization_servers`), discovered by OpenID Connect discovery. */
  public authorizationServer?: string

  public async server(): Promise<oauth.AuthorizationServer> {
    const issuer = new URL(this.authorizationServer ?? this.credentialIssuer)
    const algorithm = this.authorizationServer ? 'oidc' : 'oauth2'
    const response = await oauth.discoveryRequest(issuer, { algorithm, ...this.options })
    return oauth.processDiscoveryResponse(issuer, response)
  }

  /** The raw PAR answer for these parameters (for refusals). */
  public async pushRaw(parameters: Record<string, string>) {
    const server = await this.server()
    const response = await this.withNonce(() =>
      oauth.pushedAuthorizationRequest(server, this.client, this.clientAuth, parameters, this.options),
    )
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }

  /** PAR with PKCE S256: answers the authorization URL and what the token request will need. */
  public async push(ask: CredentialAsk, issuerState?: string, extra: Record<string, string> = {}) {
    const server = await this.server()
    const codeVerifier = oauth.generateRandomCodeVerifier()
    const state = oauth.generateRandomState()
    const parameters = new URLSearchParams({
      response_type: 'code',
      redirect_uri: WALLET_REDIRECT_URI,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      ...('scope' in ask
        ? { scope: ask.scope }
        : {
            authorization_details: JSON.stringify([
              { type: 'openid_credential', credential_configuration_id: ask.configurationId },
            ]),
          }),
      ...(issuerState ? { issuer_state: issuerState } : {}),
      ...extra,
    })
    const response = await this.withNonce(() =>
      oauth.pushedAuthorizationRequest(server, this.client, this.clientAuth, parameters, this.options),
    )
    const pushed = await oauth.processPushedAuthorizationResponse(server, this.client, response)
    const url = new URL(server.authorization_endpoint as string)
    url.searchParams.set('client_id', this.client.client_id)
    url.searchParams.set('request_uri', pushed.request_uri)
    return { server, url: url.toString(), codeVerifier, state, pushed }
  }

  /** The whole front channel: PAR, the browser's login as `login`, the authorization response checked (state, iss). */
  public async authorize(
    browser: LoginBrowser,
    login: string,
    ask: CredentialAsk,
    issuerState?: string,
    extra: Record<string, string> = {},
  ) {
    const pushed = await this.push(ask, issuerState, extra)
    const redirect = await browser.login(pushed.url, login, WALLET_REDIRECT_URI)
    const parameters = oauth.validateAuthResponse(pushed.server, this.client, redirect, pushed.state)
    return { ...pushed, parameters, redirect }
  }

  /** The raw token request with an authorization code. */
  public async tokenRaw(
    server: oauth.AuthorizationServer,
    parameters: URLSearchParams,
    codeVerifier: string,
    redirectUri = WALLET_REDIRECT_URI,
  ) {
    return this.withNonce(() =>
      oauth.authorizationCodeGrantRequest(
        server,
        this.client,
        this.clientAuth,
        parameters,
        redirectUri,
        codeVerifier,
        this.options,
      ),
    )
  }

  public async token(server: oauth.AuthorizationServer, parameters: URLSearchParams, codeVerifier: string) {
    return oauth.processAuthorizationCodeResponse(
      server,
      this.client,
      await this.tokenRaw(server, parameters, codeVerifier),
    )
  }

  public async refreshRaw(server: oauth.AuthorizationServer, refreshToken: string) {
    return this.withNonce(() =>
      oauth.refreshTokenGrantRequest(server, this.client, this.clientAuth, refreshToken, this.options),
    )
  }

  public async refresh(server: oauth.AuthorizationServer, refreshToken: string) {
    return oauth.processRefreshTokenResponse(server, this.client, await this.refreshRaw(server, refreshToken))
  }

  /** A credential request with a jose-made `jwt` proof for a new P-256 key; answers the status, body and the key. */
  public async credential(
    accessToken: string,
    cNonce: string,
    credentialIdentifier: string | { configurationId: string } | { format: string; doctype: string },
  ) {
    const { publicKey, privateKey } = await generateKeyPair('ES256')
    const jwk = await exportJWK(publicKey)
    const proof = await new SignJWT({ nonce: cNonce })
      .setProtectedHeader({ alg: 'ES256', typ: 'openid4vci-proof+jwt', jwk })
      .setIssuer(this.client.client_id)
      .setAudience(this.credentialIssuer)
      .setIssuedAt()
      .sign(privateKey)
    const response = await this.resource(accessToken, 'credential', {
      ...(typeof credentialIdentifier === 'string'
        ? { credential_identifier: credentialIdentifier }
        : 'format' in credentialIdentifier
          ? credentialIdentifier // draft 13: the format and what names the credential in it
          : { credential_configuration_id: credentialIdentifier.configurationId }),
      proof: { proof_type: 'jwt', jwt: proof },
    })
    return { status: response.status, body: (await response.json()) as Record<string, unknown>, jwk }
  }

  /** A notification (OID4VCI §11) of the credential's `notification_id`: answers the status. */
  public async notify(accessToken: string, notificationId: string, event = 'credential_accepted') {
    return (await this.resource(accessToken, 'notification', { notification_id: notificationId, event })).status
  }

  /** A fresh c_nonce from the issuer's nonce endpoint (OID4VCI 1.0 §7), for tokens of other servers than the issuer's. */
  public async cNonce(fetchFn: typeof fetch): Promise<string> {
    const response = await fetchFn(`${this.credentialIssuer}/nonce`, { method: 'POST' })
    return ((await response.json()) as { c_nonce: string }).c_nonce
  }

  /** A JSON POST to an endpoint of the issuer with the access token; a refusal's challenge answered as the response. */
  public async resource(accessToken: string, endpoint: string, body: object): Promise<Response> {
    return this.withNonce(() =>
      oauth.protectedResourceRequest(
        accessToken,
        'POST',
        new URL(`${this.credentialIssuer}/${endpoint}`),
        new Headers({ 'content-type': 'application/json' }),
        JSON.stringify(body),
        this.options,
      ),
    ).catch((error: unknown) => {
      if (error instanceof oauth.WWWAuthenticateChallengeError) return error.response
      throw error
    })
  }
}

/**
 * An SD-JWT VC checked with jose alone: the issuer's signature with the key of its did:jwk `kid`,
 * every disclosure's SHA-256 digest among the `_sd` digests. Answers the disclosed claims and `cnf`.
 */
export async function verifySdJwtVc(
  credential: string,
): Promise<{ claims: Record<string, unknown>; payload: Record<string, unknown> }> {
  const [jwt = '', ...rest] = credential.split('~')
  const kid = decodeProtectedHeader(jwt).kid as string
  const didJwk = /^did:jwk:([A-Za-z0-9_-]+)/.exec(kid)?.[1] as string
  const issuerJwk = JSON.parse(Buffer.from(didJwk, 'base64url').toString('utf8')) as JWK
  const { payload: raw } = await compactVerify(jwt, await importJWK(issuerJwk, 'ES256'))
  const payload = JSON.parse(new TextDecoder().decode(raw)) as Record<string, unknown>
  const digests = new Set(payload._sd as string[])
  const claims: Record<string, unknown> = {}
  for (const disclosure of rest.filter(Boolean)) {
    const digest = createHash('sha256').update(disclosure).digest('base64url')
    if (!digests.has(digest)) throw new Error(`Disclosure ${disclosure} is not among the _sd digests`)
    const [, name, value] = JSON.parse(Buffer.from(disclosure, 'base64url').toString('utf8')) as [
      string,
      string,
      unknown,
    ]
    claims[name] = value
  }
  return { claims, payload }
}
