import { randomBytes, randomUUID } from 'node:crypto'

/** Where an authorization request stands (docs/AUTHORIZATION.md). */
export type AuthorizationState = 'pushed' | 'login' | 'code_issued' | 'redeemed' | 'failed'

/**
 * One authorization request of a wallet and its login, as a compact session row (`SessionStore`,
 * record type `AuthorizationSession`, id in the `request_uri`, the provider's `state` and the
 * authorization code). Every step is one conditional statement on this row: a request URI is
 * used once, a login completes once, a code is redeemed once, on whichever instance.
 */
export interface AuthorizationSession {
  state: AuthorizationState
  issuerId: string
  clientId: string
  redirectUri: string
  /** PKCE (RFC 7636): the S256 challenge the wallet's `code_verifier` must match. */
  codeChallenge: string
  /** The wallet's `state`, returned with the code. */
  walletState?: string
  configurationId: string
  /** How the wallet asked for it: a scope value, or an `openid_credential` authorization detail. */
  requestedBy: 'scope' | 'authorization_details'
  scope?: string
  /** The offer whose `issuer_state` the request carried: the login binds it (once). */
  offerId?: string
  /** SHA-256 of that `issuer_state`'s secret (what binds the offer). */
  offerSecretHash?: string
  /** Epoch milliseconds after which the current step (request URI, login, code) is void. */
  expiresAt: number
  createdAt: string
  /** At the provider: SHA-256 of the browser cookie (CSRF), of the `state` secret, the nonce and PKCE verifier. */
  browserHash?: string
  loginStateHash?: string
  loginNonce?: string
  loginCodeVerifier?: string
  /** The provider's subject, once logged in. */
  subject?: string
  /** SHA-256 of the authorization code's secret. */
  codeHash?: string
  /**
   * The DPoP key the code is bound to (RFC 9449 §10): the key of the PAR's DPoP proof, or its
   * `dpop_jkt`. The token request must prove the same key.
   */
  dpopJkt?: string
  /** The error the wallet was answered with, when the login failed. */
  error?: string
}

export const AUTHORIZATION_SESSION_TYPE = 'AuthorizationSession'

/** RFC 9126 §2.2: the request URI a PAR answers. */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:'

/** A new session id and secret: `<uuid>.<43 base64url chars>`; only the secret's hash is stored. */
export function newSessionSecret(sessionId: string = randomUUID()): string {
  return `${sessionId}.${randomBytes(32).toString('base64url')}`
}

/** The session id and secret of a value made by {@link newSessionSecret}, or undefined. */
export function splitSessionSecret(value: unknown): { sessionId: string; secret: string } | undefined {
  if (typeof value !== 'string') return undefined
  const match = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/.exec(value)
  return match ? { sessionId: match[1] as string, secret: match[2] as string } : undefined
}
