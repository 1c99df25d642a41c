import { randomBytes } from 'node:crypto'
import { guardedFetch, signJwt } from '@attesto/agent-runtime'
import type { AgentContext } from '@credo-ts/core'
import * as oauth from 'oauth4webapi'
import type { IdentityProvider } from './IdentityProvider.js'

/** What the issuer keeps between sending the browser to the provider and its return. */
export interface LoginRequest {
  url: string
  nonce: string
  codeVerifier: string
}

/** Who logged in: the ID token's claims (validated), and the userinfo answer when asked for. */
export interface LoginResult {
  subject: string
  idTokenClaims: Record<string, unknown>
  userinfo?: Record<string, unknown>
}

/** A failed login at the provider; `providerError` is the provider's own error code when it sent one. */
export class LoginFailedError extends Error {
  public constructor(
    message: string,
    public readonly providerError?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

const DISCOVERY_CACHE_MILLIS = 5 * 60_000

/**
 * The issuer as an OpenID Connect client of a tenant's provider (oauth4webapi): discovery
 * (cached per issuer URL), the authorization request (code, PKCE S256, `state`, `nonce`), and at
 * the callback the code exchange with the ID token checked by the library (issuer, audience,
 * nonce, expiry, and its signature against the provider's JWKS). Every request goes through the
 * webhooks' address guard: a tenant cannot point the issuer at its internal network.
 */
export class OpenIdLogin {
  private readonly discovered = new Map<string, { server: Promise<oauth.AuthorizationServer>; until: number }>()
  private readonly fetch: ReturnType<typeof guardedFetch>

  public constructor(private readonly allowInsecure: boolean) {
    this.fetch = guardedFetch({
      timeoutMillis: 10_000,
      allowInsecure,
      label: 'Identity provider',
      maxBodyBytes: 1 << 20,
    })
  }

  private get httpOptions() {
    return {
      [oauth.customFetch]: this.fetch as unknown as typeof fetch,
      ...(this.allowInsecure ? { [oauth.allowInsecureRequests]: true } : {}),
    }
  }

  /** The provider's metadata (discovered, then kept five minutes). */
  public server(issuer: string): Promise<oauth.AuthorizationServer> {
    const cached = this.discovered.get(issuer)
    if (cached && cached.until > Date.now()) return cached.server
    const url = new URL(issuer)
    const server = oauth
      .discoveryRequest(url, { algorithm: 'oidc', ...this.httpOptions })
      .then((response) => oauth.processDiscoveryResponse(url, response))
    if (this.discovered.size > 1000) this.discovered.clear()
    this.discovered.set(issuer, { server, until: Date.now() + DISCOVERY_CACHE_MILLIS })
    server.catch(() => this.discovered.delete(issuer))
    return server
  }

  /** The provider's authorization URL for this login, and what its callback will need. */
  public async begin(provider: IdentityProvider, redirectUri: string, state: string): Promise<LoginRequest> {
    const server = await this.server(provider.issuer)
    if (!server.authorization_endpoint) throw new Error('The identity provider names no authorization_endpoint')
    const codeVerifier = oauth.generateRandomCodeVerifier()
    const nonce = oauth.generateRandomNonce()
    const url = new URL(server.authorization_endpoint)
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: provider.clientId,
      redirect_uri: redirectUri,
      scope: ['openid', ...provider.scopes].join(' '),
      state,
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    }).toString()
    return { url: url.toString(), nonce, codeVerifier }
  }

  /**
   * The provider's answer at the callback: its `iss` and `state` checked, the code exchanged,
   * the ID token validated, userinfo read when asked for. A failure is a {@link LoginFailedError}.
   */
  public async complete(
    provider: IdentityProvider,
    tenantContext: AgentContext,
    callback: URL,
    expected: { state: string; nonce: string; codeVerifier: string; redirectUri: string; userinfo: boolean },
  ): Promise<LoginResult> {
    const server = await this.server(provider.issuer)
    const client: oauth.Client = { client_id: provider.clientId }
    let parameters: URLSearchParams
    try {
      parameters = oauth.validateAuthResponse(server, client, callback, expected.state)
    } catch (error) {
      const code = error instanceof oauth.AuthorizationResponseError ? error.error : undefined
      throw new LoginFailedError('The identity provider refused the login', code, { cause: error })
    }
    try {
      const response = await oauth.authorizationCodeGrantRequest(
        server,
        client,
        this.clientAuth(provider, tenantContext),
        parameters,
        expected.redirectUri,
        expected.codeVerifier,
        this.httpOptions,
      )
      const tokens = await oauth.processAuthorizationCodeResponse(server, client, response, {
        expectedNonce: expected.nonce,
        requireIdToken: true,
      })
      // The ID token came over the back channel; its signature is checked against the JWKS all the same.
      await oauth.validateApplicationLevelSignature(server, response, this.httpOptions)
      const claims = oauth.getValidatedIdTokenClaims(tokens) as oauth.IDToken
      const userinfo = expected.userinfo
        ? await this.userinfo(server, client, tokens.access_token, claims.sub)
        : undefined
      return { subject: claims.sub, idTokenClaims: { ...claims }, ...(userinfo ? { userinfo } : {}) }
    } catch (error) {
      throw new LoginFailedError('The login at the identity provider could not be completed', undefined, {
        cause: error,
      })
    }
  }

  private async userinfo(
    server: oauth.AuthorizationServer,
    client: oauth.Client,
    accessToken: string,
    subject: string,
  ) {
    const response = await oauth.userInfoRequest(server, client, accessToken, this.httpOptions)
    return { ...(await oauth.processUserInfoResponse(server, client, subject, response)) }
  }

  /** `client_secret_basic`, or `private_key_jwt` with an assertion signed by the tenant's KMS key. */
  private clientAuth(provider: IdentityProvider, tenantContext: AgentContext): oauth.ClientAuth {
    const auth = provider.clientAuth
    if (auth.method === 'client_secret_basic') return oauth.ClientSecretBasic(auth.clientSecret)
    return async (server, client, body) => {
      const now = Math.floor(Date.now() / 1000)
      const assertion = await signJwt(tenantContext, {
        keyId: auth.keyId,
        alg: auth.alg,
        header: { typ: 'JWT', kid: auth.keyId },
        payload: {
          iss: client.client_id,
          sub: client.client_id,
          aud: server.issuer,
          jti: randomBytes(16).toString('base64url'),
          iat: now,
          exp: now + 60,
        },
      })
      body.set('client_id', client.client_id)
      body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
      body.set('client_assertion', assertion)
    }
  }
}
