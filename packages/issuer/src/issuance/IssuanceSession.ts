import type { JsonWebKey } from 'node:crypto'
import { randomBytes, randomUUID } from 'node:crypto'

/** Where an offer stands. Only a successful issuance (or expiry) ends it. */
export type IssuanceState =
  | 'offered'
  | 'token_issued'
  | 'credential_pending'
  | 'credential_issued'
  | 'failed'
  | 'cancelled'

/**
 * One offer and its issuance, as a compact session row (`SessionStore`, record type
 * `IssuanceSession`, id = offer id). Everything the protocol endpoints need is here, so each
 * step reads or changes one row.
 */
export interface IssuanceSession {
  state: IssuanceState
  issuerId: string
  configurationId: string
  /** The claims to issue; empty for a deferred offer until they are approved. */
  claims: Record<string, unknown>
  /** SHA-256 (base64url) of the pre-authorised code's secret part. */
  codeHash: string
  /** The transaction code, when one is required (shown once to the caller, compared at redemption). */
  txCode?: string
  /** Wrong transaction codes so far; at the limit the offer is `failed` and its code dead. */
  txCodeFailures?: number
  /** Epoch milliseconds after which the offer can no longer be redeemed or issued on. */
  expiresAt: number
  createdAt: string
  /** The credential's `nbf` and `exp` (epoch seconds) when the offer set them. */
  credentialNotBefore?: number
  credentialExpiresAt?: number
  deferred?: boolean
  /** When the claims of a deferred offer made without claims were approved (ISO time). */
  claimsApprovedAt?: string
  deferralIntervalSeconds?: number
  /**
   * A deferred issuance: its transaction id and the holder key it will be bound to (the first,
   * and every key of a batch in `holderBindings`: one credential each).
   */
  transactionId?: string
  holderBinding?: HolderBinding
  holderBindings?: HolderBinding[]
  /** Set when the credential is issued (ISO time). */
  issuedAt?: string
  /** How many credentials the issuance yielded (a batch: one per proof); set with `issuedAt`. */
  credentialCount?: number
  /** Names the issuance in the wallet's notifications (OID4VCI 1.0 §11); set with `issuedAt`. */
  notificationId?: string
  /** What the wallet last told about the credentials (notification endpoint). */
  notification?: WalletNotification
  /** Set when the offer was cancelled through the API (ISO time); its code and token are dead. */
  cancelledAt?: string
  /** The last refused credential request, for the operator (code only, never claims). */
  lastError?: string
  /**
   * `authorization_code`: the offer carries that grant with an `issuer_state` (`codeHash` is the
   * hash of its secret, never redeemable as a pre-authorised code); the wallet's login binds it.
   * `login`: made by a login without an offer (wallet-initiated). `external`: made by the first
   * credential request with an external authorization server's access token. Absent: pre-authorised code.
   */
  grant?: 'authorization_code' | 'login' | 'external'
  /** The issuer had an external authorization server beside its own when the offer was made: the offer's grant names its own. */
  namesAuthorizationServer?: boolean
  /** `external`: the authorization server whose access token made this issuance (its `sub` is `loggedInSubject`). */
  authorizationServer?: string
  /** The provider subject that alone may receive an `authorization_code` offer, when the offer names one. */
  subject?: string
  /** The authorization session bound to this offer (once), and the subject that logged in. */
  authorizationSessionId?: string
  loggedInSubject?: string
}

/** The events of OID4VCI 1.0 §11.1 a wallet sends about the credentials it received. */
export const NOTIFICATION_EVENTS = ['credential_accepted', 'credential_failure', 'credential_deleted'] as const
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number]

/** A wallet's notification about an issuance, as the offer keeps it. */
export interface WalletNotification {
  event: NotificationEvent
  /** When it was received (ISO time). */
  receivedAt: string
  /** The wallet's `event_description`, when it sent one. */
  description?: string
}

/** The key a credential is bound to: a JWK (`cnf.jwk`) or a DID URL (`cnf.kid`). */
export type HolderBinding = { jwk: JsonWebKey } | { kid: string }

export const ISSUANCE_SESSION_TYPE = 'IssuanceSession'

/** The OAuth grant type of a pre-authorised code: offers carry it, the token endpoint redeems it. */
export const PRE_AUTHORIZED_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code'

/** The `issuer_state` of an authorization code offer is hashed apart from pre-authorised codes: one is never the other. */
export const issuerStateSecret = (secret: string) => `issuer_state.${secret}`

/**
 * A new pre-authorised code: `<offer id>.<secret>`. The offer id lets the token endpoint find
 * the row by primary key; only the secret's hash is stored.
 */
export function newPreAuthorizedCode(offerId: string = randomUUID()): string {
  return `${offerId}.${randomBytes(32).toString('base64url')}`
}

/** The offer id and secret of a pre-authorised code, or undefined when it is not one of ours. */
export function splitPreAuthorizedCode(code: string): { offerId: string; secret: string } | undefined {
  const match = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/.exec(code)
  return match ? { offerId: match[1] as string, secret: match[2] as string } : undefined
}
