/** Why a presentation was rejected: one stable code per way it can be wrong. */
export type RejectionCode =
  | 'request_expired'
  | 'nonce_mismatch'
  | 'audience_mismatch'
  | 'invalid_signature'
  | 'untrusted_issuer'
  | 'verification_failed'

export interface RejectionReason {
  code: RejectionCode
  message: string
  /** What the verification library reported, for support. */
  detail?: string
}

const RULES: { code: RejectionCode; pattern: RegExp; message: string }[] = [
  {
    code: 'request_expired',
    pattern: /session expired/i,
    message: 'The wallet answered after the request had expired; create a new request',
  },
  {
    code: 'nonce_mismatch',
    pattern: /invalid nonce|expected nonce/i,
    message: 'The key-binding proof was made for another request (its nonce does not match this one)',
  },
  {
    code: 'audience_mismatch',
    pattern: /expected audience|invalid aud/i,
    message: 'The key-binding proof was made for another verifier (its audience is not this verifier)',
  },
  {
    code: 'invalid_signature',
    pattern: /signature/i,
    message: 'A signature does not verify: the credential or its key-binding proof was altered or forged',
  },
]

/**
 * Maps the reason Credo recorded on a failed verification session to a stable code. Credo keeps
 * one free-text message per session; its wording (checked for @credo-ts/openid4vc 0.6.3 and the
 * tests of this package) names the failed check.
 */
export function rejectionReason(errorMessage: string | undefined): RejectionReason {
  // Credo appends the OAuth error response as JSON after the human part.
  const detail = (errorMessage ?? '').split('\n{')[0]?.trim() || undefined
  const rule = RULES.find(({ pattern }) => detail && pattern.test(detail))
  if (rule) return { code: rule.code, message: rule.message, detail }
  return { code: 'verification_failed', message: 'The presentation failed verification', detail }
}
