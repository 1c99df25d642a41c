import { ProtocolError } from '@attesto/agent-runtime'
import type { RejectionCode } from '../verification/rejectionReason.js'
import { countVerification } from './verificationMetrics.js'

/** The codes a response endpoint refusal starts its `error_description` with. */
export type RefusalCode =
  | RejectionCode
  | 'replayed_response'
  | 'request_closed'
  | 'unknown_request'
  | 'invalid_error_response'

/**
 * A response the endpoint refuses: `400 invalid_request` (RFC 6749 §5.2, which OID4VP 1.0 §8.2's
 * response endpoint answers in), the reason code first in `error_description`, counted in the
 * metrics (attesto_verification_outcomes_total).
 */
export function refused(code: RefusalCode, detail: string): ProtocolError {
  countVerification('refused', code)
  return new ProtocolError(400, 'invalid_request', `${code}: ${detail}`)
}

/**
 * The request a response names, when it is still open for it: refused as `unknown_request` (none
 * of this verifier), `replayed_response` (this very response decided it: `digest` matches),
 * `request_closed` (decided otherwise) or `request_expired`.
 */
export function openRequest<
  Session extends { verifierId: string; state: string; expiresAt: number; responseDigest?: string },
>(session: Session | undefined, verifierId: string, nowMillis: number, digest?: string): Session {
  if (!session || session.verifierId !== verifierId) {
    throw refused('unknown_request', 'The response names no open request of this verifier')
  }
  if (session.state !== 'pending') {
    if (digest !== undefined && session.responseDigest === digest) {
      throw refused(
        'replayed_response',
        'this authorisation response was already submitted; a wallet must answer each request with a new presentation',
      )
    }
    throw refused('request_closed', 'This request has been answered already')
  }
  if (nowMillis >= session.expiresAt) throw refused('request_expired', 'The request has expired')
  return session
}
