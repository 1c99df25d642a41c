/** Why a presentation was refused or rejected: one stable code per way it can be wrong. */
export type RejectionCode =
  | 'request_expired'
  | 'nonce_mismatch'
  | 'audience_mismatch'
  | 'invalid_signature'
  | 'invalid_disclosure'
  | 'untrusted_issuer'
  | 'untrusted_authority'
  | 'invalid_certificate'
  | 'verification_failed'
  | 'credential_revoked'
  | 'credential_suspended'
  | 'status_unavailable'
  | 'wallet_error'

export interface RejectionReason {
  code: RejectionCode
  message: string
  /** Which check failed, for support (never claim values). */
  detail?: string
}

const MESSAGES: Record<RejectionCode, string> = {
  request_expired: 'The wallet answered after the request had expired; create a new request',
  nonce_mismatch: 'The key-binding proof was made for another request (its nonce does not match this one)',
  audience_mismatch: 'The key-binding proof was made for another verifier (its audience is not this verifier)',
  invalid_signature: 'A signature does not verify: the credential or its key-binding proof was altered or forged',
  invalid_disclosure:
    'A disclosure is not one the issuer signed: it was altered, or it is not referenced by the credential',
  untrusted_issuer: 'The credential was issued by an issuer this tenant does not trust',
  untrusted_authority:
    "A credential's X.509 chain is not certified by one of the authorities the request accepts (DCQL trusted_authorities, aki)",
  invalid_certificate:
    "The issuer's certificate chain (x5c) is not valid: unreadable, broken, out of validity, or not allowed to sign",
  verification_failed: 'The presentation failed verification',
  credential_revoked: 'A credential has been revoked by its issuer',
  credential_suspended: 'A credential is suspended by its issuer',
  status_unavailable:
    "A credential's status could not be established: its status list could not be fetched or is not valid",
  wallet_error:
    'The wallet answered with an error instead of a presentation (the holder declined, or has no matching credential)',
}

export function rejectionReason(code: RejectionCode, detail?: string, message = MESSAGES[code]): RejectionReason {
  return detail === undefined ? { code, message } : { code, message, detail }
}

/**
 * A presentation the verifier will not accept. `final` marks a real answer from the holder that
 * fails the tenant's policy (it ends the request as `rejected`); any other refusal leaves the
 * request open for its holder.
 */
export class PresentationRefusal extends Error {
  public readonly reason: RejectionReason

  public constructor(
    code: RejectionCode,
    detail: string,
    public readonly final = false,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${detail}`, options)
    this.reason = rejectionReason(code, detail)
  }
}
