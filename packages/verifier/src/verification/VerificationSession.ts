import type { RejectionReason } from './rejectionReason.js'

/** `direct_post.jwt` (default): the response is encrypted to the verifier; `direct_post`: it is not. */
export type ResponseMode = 'direct_post' | 'direct_post.jwt'

/** One credential of a verified presentation: its query id, issuer, type and disclosed claims. */
export interface PresentedCredential {
  queryId: string
  issuer: string
  /** For a credential signed under an X.509 chain: its end-entity certificate and the anchor that made it trusted. */
  issuerCertificate?: {
    subject: string
    sha256: string
    notAfter: string
    anchor?: { anchorId: string; subject: string }
  }
  vct: string | undefined
  /** `mso_mdoc` for an ISO mdoc (absent for an SD-JWT VC). */
  format?: 'mso_mdoc'
  /** An mdoc's docType. */
  docType?: string
  /** The disclosed claims; for an mdoc, the data elements by namespace. */
  claims: Record<string, unknown>
  /** Accepted although its status list could not be fetched (the request allowed it). */
  statusUnavailable?: boolean
}

/**
 * The same-device flow's binding (OID4VP 1.0 §8.2, §14.2): where the wallet sends the browser
 * back, and, once the request is decided, the digest of the response code that releases its
 * result, once.
 */
export interface SameDeviceBinding {
  /** One of the verifier's redirect URIs; the wallet is answered it with `#response_code=…`. */
  redirectUri: string
  /** SHA-256 (base64url) of the response code; the code itself is never stored. */
  responseCodeSha256?: string
  /** When the code was redeemed (it releases the result once). */
  redeemedAt?: string
}

/**
 * The request's own response-encryption key (`direct_post.jwt`, HAIP 1.0 §5): a P-256 key pair
 * made for this request alone. The public JWK (`kid` is the request id) is listed in the request
 * object; the private key is kept only wrapped by the tenant's KMS, bound to the tenant and the
 * request, so any instance can have the KMS unwrap it and nobody without the KMS can read it. It
 * goes with the row when the row expires.
 */
export interface ResponseKey {
  publicJwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string; kid: string }
  /** The private key (its JWK, as JSON) as the KMS wrapped it (`KeyWrapping` of `@attesto/kms-adapter`). */
  wrappedPrivateKey: string
}

/** A response that was refused while the request stayed open. */
export interface RefusedAttempt {
  at: string
  reason: RejectionReason
}

/**
 * A presentation request and its outcome: one compact JSON row (`VerificationSession`), written
 * once when the request is made and once when it is decided (plus once per refused attempt).
 * The request's id is also the OID4VP `state`.
 */
export interface VerificationSession {
  state: 'pending' | 'verified' | 'rejected' | 'cancelled'
  verifierId: string
  /**
   * OID4VP `client_id` (`x509_hash:<leaf hash>`, `x509_san_dns:<host>` or
   * `decentralized_identifier:<did>`), fixed when the request is made; the key-binding proof's audience.
   */
  clientId: string
  /** `post` when the request offers `request_uri_method=post` (the wallet may POST its metadata and nonce). */
  requestUriMethod?: 'post'
  nonce: string
  responseMode: ResponseMode
  /** With `direct_post.jwt`: the key wallets encrypt to (absent on requests made before per-request keys). */
  responseKey?: ResponseKey
  dcqlQuery: Record<string, unknown>
  /** When a credential's status list cannot be fetched: reject (default) or accept it flagged. */
  statusUnavailable?: 'reject' | 'accept'
  createdAt: string
  /**
   * When the wallet's time to answer ends, in epoch milliseconds (the REST API answers it as an
   * ISO time; rows of earlier versions hold that string: `VerificationSessionStore` reads both).
   * The row itself is kept longer, for the result.
   */
  expiresAt: number
  decidedAt?: string
  /** Set when the request was cancelled through the API before a wallet answered (ISO time). */
  cancelledAt?: string
  reason?: RejectionReason
  credentials?: PresentedCredential[]
  /** SHA-256 of the accepted vp_token: a second copy of it is a replay. */
  responseDigest?: string
  /** The first refused attempts ({@link MAX_RECORDED_ATTEMPTS}), and how many there were. */
  refusedAttempts?: RefusedAttempt[]
  refusedAttemptCount?: number
  /** Set for a same-device request: its result is released only with its response code. */
  sameDevice?: SameDeviceBinding
}

export const VERIFICATION_SESSION_TYPE = 'VerificationSession'
/** Longest request lifetime the API accepts. */
export const MAX_REQUEST_LIFETIME_SECONDS = 7 * 24 * 60 * 60
/** How long a request's row (and so its result) is kept after the request expires. */
export const RESULT_RETENTION_SECONDS = 7 * 24 * 60 * 60
export const MAX_RECORDED_ATTEMPTS = 10
/** Longest request id (OID4VP `state`) a response may name. */
export const MAX_REQUEST_ID_LENGTH = 128
