import { randomBytes } from 'node:crypto'
import { ProtocolError } from '@attesto/agent-runtime'
import type { Request, Response } from 'express'
import type { AuthorizationServices } from '../authorization/AuthorizationServices.js'
import {
  type AuthorizationSession,
  newSessionSecret,
  REQUEST_URI_PREFIX,
} from '../authorization/AuthorizationSession.js'
import { hashSecret } from '../issuance/IssuanceSessionStore.js'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import { param } from './authorizationRequest.js'
import { identityProviderOf } from './parEndpoint.js'

const invalid = (description: string) => new ProtocolError(400, 'invalid_request', description)

/** The cookie that binds a login to the browser that started it (the callback's CSRF check). */
export const loginCookieName = (sessionId: string) => `attesto-login-${sessionId}`

export const callbackUrlOf = (issuer: ResolvedIssuer) => `${issuer.credentialIssuer}/authorize/callback`

/**
 * Sends the browser back to the wallet's redirect URI (validated at the PAR) with `params`, the
 * wallet's `state` and this issuer as `iss` (RFC 9207).
 */
export function answerWallet(
  response: Response,
  issuer: ResolvedIssuer,
  session: AuthorizationSession,
  params: Record<string, string>,
): void {
  const target = new URL(session.redirectUri)
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value)
  if (session.walletState !== undefined) target.searchParams.set('state', session.walletState)
  target.searchParams.set('iss', issuer.credentialIssuer)
  response.set('Cache-Control', 'no-store').redirect(303, target.toString())
}

/** The session a `request_uri` names and the `client_id` sent with it: both must fit, else `invalid_request` (no redirect yet). */
async function pushedSession(issuer: ResolvedIssuer, request: Request, services: AuthorizationServices) {
  const query = request.query as Record<string, unknown>
  const clientId = param(query, 'client_id', 200)
  const requestUri = param(query, 'request_uri', 200)
  if (!clientId || !requestUri) {
    throw invalid('Send client_id and the request_uri of a pushed authorization request (PAR is required)')
  }
  const sessionId = requestUri.startsWith(REQUEST_URI_PREFIX) ? requestUri.slice(REQUEST_URI_PREFIX.length) : ''
  const session = /^[0-9a-f-]{36}$/.test(sessionId) ? await services.sessions.find(issuer.tenantId, sessionId) : null
  if (
    !session ||
    session.issuerId !== issuer.profile.issuerId ||
    session.state !== 'pushed' ||
    session.expiresAt <= Date.now()
  ) {
    throw invalid('The request_uri is unknown, used or expired: push the authorization request again')
  }
  if (session.clientId !== clientId) throw invalid('client_id is not the client that pushed this request')
  return { sessionId, session }
}

/**
 * The authorization endpoint (RFC 6749 §4.1.1 with RFC 9126 §4): takes only `client_id` and the
 * `request_uri` of a pushed request (once), then sends the browser to the tenant's OpenID
 * provider with PKCE, `state` and `nonce`, and binds the login to this browser with a cookie.
 * Until the request URI is known good, errors are answered here (never redirected: no open
 * redirect); after, they go to the wallet's redirect URI.
 */
export async function authorizationEndpoint(
  issuer: ResolvedIssuer,
  request: Request,
  response: Response,
  services: AuthorizationServices,
): Promise<void> {
  const { sessionId, session } = await pushedSession(issuer, request, services)
  const browserSecret = randomBytes(32).toString('base64url')
  const loginState = newSessionSecret(sessionId)
  const ttl = services.config.loginTtlSeconds
  let login: Awaited<ReturnType<AuthorizationServices['login']['begin']>>
  try {
    login = await services.login.begin(await identityProviderOf(issuer), callbackUrlOf(issuer), loginState)
  } catch {
    await services.sessions.step(issuer.tenantId, sessionId, 'pushed', {
      state: 'failed',
      expiresAt: Date.now() + 60_000,
    })
    return answerWallet(response, issuer, session, {
      error: 'temporarily_unavailable',
      error_description: "The issuer's identity provider cannot be reached",
    })
  }
  const started = await services.sessions.step(
    issuer.tenantId,
    sessionId,
    'pushed',
    {
      state: 'login',
      browserHash: hashSecret(browserSecret),
      loginStateHash: hashSecret(loginState.slice(37)),
      loginNonce: login.nonce,
      loginCodeVerifier: login.codeVerifier,
      expiresAt: Date.now() + ttl * 1000,
    },
    { clientId: session.clientId },
  )
  if (!started) throw invalid('The request_uri is unknown, used or expired: push the authorization request again')
  response.cookie(loginCookieName(sessionId), browserSecret, {
    httpOnly: true,
    secure: issuer.credentialIssuer.startsWith('https:'),
    sameSite: 'lax', // the provider's redirect back is a top-level GET
    path: new URL(callbackUrlOf(issuer)).pathname,
    maxAge: ttl * 1000,
  })
  response.set('Cache-Control', 'no-store').redirect(303, login.url)
}
