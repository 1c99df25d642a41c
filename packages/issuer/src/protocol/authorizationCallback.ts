import { randomUUID } from 'node:crypto'
import { ProtocolError } from '@attesto/agent-runtime'
import type { Request, Response } from 'express'
import type { AuthorizationServices } from '../authorization/AuthorizationServices.js'
import {
  type AuthorizationSession,
  newSessionSecret,
  splitSessionSecret,
} from '../authorization/AuthorizationSession.js'
import { claimsSourceOf, type IdentityProvider } from '../authorization/IdentityProvider.js'
import { LoginClaimsError, loginClaims } from '../authorization/loginClaims.js'
import { LoginFailedError, type LoginResult } from '../authorization/OpenIdLogin.js'
import type { IssuanceSession } from '../issuance/IssuanceSession.js'
import { hashSecret } from '../issuance/IssuanceSessionStore.js'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import { answerWallet, callbackUrlOf, loginCookieName } from './authorizationEndpoint.js'
import { param } from './authorizationRequest.js'
import { identityProviderOf } from './parEndpoint.js'

const invalid = (description: string) => new ProtocolError(400, 'invalid_request', description)

/** The named cookie of the request (no parser middleware: one value is needed). */
function cookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=')
    if (key === name) return decodeURIComponent(value.join('='))
  }
  return undefined
}

/** The login session the provider's `state` names, started in this browser; `invalid_request` (no redirect) otherwise. */
async function loginSession(issuer: ResolvedIssuer, request: Request, services: AuthorizationServices) {
  const state = splitSessionSecret(param(request.query as Record<string, unknown>, 'state', 200))
  const session = state ? await services.sessions.find(issuer.tenantId, state.sessionId) : null
  if (
    !state ||
    !session ||
    session.issuerId !== issuer.profile.issuerId ||
    session.state !== 'login' ||
    session.loginStateHash !== hashSecret(state.secret) ||
    session.expiresAt <= Date.now()
  ) {
    throw invalid('The login state is unknown, used or expired: start again from the wallet')
  }
  const browser = cookie(request, loginCookieName(state.sessionId))
  if (!browser || hashSecret(browser) !== session.browserHash) {
    throw invalid('This login was not started in this browser (its cookie is missing or wrong)')
  }
  return { sessionId: state.sessionId, loginState: `${state.sessionId}.${state.secret}`, session }
}

/** What the login yields: the claims of a login without an offer (from the claims source); none with an offer (its own). */
async function claimsOfLogin(
  issuer: ResolvedIssuer,
  session: AuthorizationSession,
  provider: IdentityProvider,
  login: LoginResult,
  allowInsecure: boolean,
): Promise<Record<string, unknown> | undefined> {
  if (session.offerId) return undefined
  const configuration = issuer.profile.configurations[session.configurationId]
  const source = claimsSourceOf(provider, issuer.profile.issuerId, session.configurationId)
  if (!configuration || !source) throw new LoginClaimsError('No claims source is configured for this credential')
  return loginClaims(source, provider, { issuerId: issuer.profile.issuerId, configuration, login, allowInsecure })
}

/** Binds the offer (once) or makes the login's own offer; false when the offer is not to be had. */
async function offerForLogin(
  issuer: ResolvedIssuer,
  sessionId: string,
  session: AuthorizationSession,
  offerId: string,
  login: LoginResult,
  claims: Record<string, unknown> | undefined,
  services: AuthorizationServices,
): Promise<boolean> {
  const binding = { authorizationSessionId: sessionId, subject: login.subject }
  if (session.offerId) {
    return (await services.offers.bindLogin(issuer.tenantId, offerId, session.offerSecretHash ?? '', binding)) !== null
  }
  const deferred = issuer.profile.configurations[session.configurationId]?.deferred === true
  const offer: IssuanceSession = {
    state: 'token_issued',
    issuerId: issuer.profile.issuerId,
    configurationId: session.configurationId,
    claims: claims ?? {},
    codeHash: '',
    expiresAt: Date.now() + services.config.refreshTokenTtlSeconds * 1000,
    createdAt: new Date().toISOString(),
    grant: 'login',
    authorizationSessionId: sessionId,
    loggedInSubject: login.subject,
    ...(deferred ? { deferred: true, deferralIntervalSeconds: 30 } : {}),
  }
  return services.offers.create(issuer.tenantId, offerId, offer)
}

/**
 * The provider's redirect back (`/oid4vci/<issuer>/authorize/callback`): the state and this
 * browser's cookie checked (CSRF), the code exchanged and the ID token validated, the claims
 * found (an offer's own, or from the claims source), then an authorization code (60 s, once)
 * is sent to the wallet's redirect URI with its `state` and `iss`. A failed login is answered to
 * the wallet as `access_denied` (`temporarily_unavailable` when the provider cannot be reached).
 */
export async function authorizationCallback(
  issuer: ResolvedIssuer,
  request: Request,
  response: Response,
  services: AuthorizationServices,
): Promise<void> {
  const { sessionId, loginState, session } = await loginSession(issuer, request, services)
  response.clearCookie(loginCookieName(sessionId), { path: new URL(callbackUrlOf(issuer)).pathname })
  const fail = async (error: string, description: string) => {
    await services.sessions.step(issuer.tenantId, sessionId, 'login', {
      state: 'failed',
      error,
      expiresAt: Date.now() + 60_000,
    })
    answerWallet(response, issuer, session, { error, error_description: description })
  }
  let provider: IdentityProvider
  let login: LoginResult
  let claims: Record<string, unknown> | undefined
  try {
    provider = await identityProviderOf(issuer)
    const callback = new URL(callbackUrlOf(issuer))
    callback.search = new URL(request.originalUrl, 'http://callback').search
    login = await services.login.complete(provider, issuer.tenantContext, callback, {
      state: loginState,
      nonce: session.loginNonce ?? '',
      codeVerifier: session.loginCodeVerifier ?? '',
      redirectUri: callbackUrlOf(issuer),
      userinfo:
        !session.offerId &&
        claimsSourceOf(provider, issuer.profile.issuerId, session.configurationId)?.type === 'userinfo',
    })
    claims = await claimsOfLogin(issuer, session, provider, login, services.allowInsecure)
  } catch (error) {
    if (error instanceof LoginFailedError || error instanceof LoginClaimsError || error instanceof ProtocolError) {
      return fail('access_denied', error.message)
    }
    return fail('temporarily_unavailable', 'The login could not be completed: try again')
  }
  const offerId = session.offerId ?? randomUUID()
  const code = newSessionSecret(sessionId)
  const issued = await services.sessions.step(issuer.tenantId, sessionId, 'login', {
    state: 'code_issued',
    codeHash: hashSecret(code.slice(37)),
    offerId,
    subject: login.subject,
    expiresAt: Date.now() + services.config.codeTtlSeconds * 1000,
  })
  if (!issued) throw invalid('The login state is unknown, used or expired: start again from the wallet')
  if (!(await offerForLogin(issuer, sessionId, session, offerId, login, claims, services))) {
    await services.sessions.step(issuer.tenantId, sessionId, 'code_issued', {
      state: 'failed',
      expiresAt: Date.now() + 60_000,
    })
    return answerWallet(response, issuer, session, {
      error: 'access_denied',
      error_description: 'The credential offer was taken by another login, has expired, or is for another person',
    })
  }
  answerWallet(response, issuer, session, { code })
}
