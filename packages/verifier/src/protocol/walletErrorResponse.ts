import { rejectionReason } from '../verification/rejectionReason.js'
import type { VerificationSessions } from '../verification/VerificationSessions.js'
import type { PresentationDecided } from '../webhooks/verifierWebhooks.js'
import { decideRequest, type ResponseEndpointAnswer } from './decideRequest.js'
import { openRequest, refused } from './responseRefusal.js'
import type { ResolvedVerifier } from './VerifierDirectory.js'

/** RFC 6749 §4.1.2.1: `error` and `error_description` are printable ASCII without `"` and `\`. */
const ERROR_TEXT = /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/
const MAX_ERROR_LENGTH = 64
const MAX_DESCRIPTION_LENGTH = 300

function errorText(value: unknown, maxLength: number, name: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value.length > maxLength || !ERROR_TEXT.test(value)) {
    throw refused(
      'invalid_error_response',
      `${name} must be printable ASCII (RFC 6749), at most ${maxLength} characters`,
    )
  }
  return value
}

/**
 * An Authorization Error Response at the response endpoint (OID4VP 1.0 §8.2, §8.5): the wallet
 * answers `error` (`access_denied` when the holder declined or has no matching credential,
 * `vp_formats_not_supported`, `invalid_request`, …) instead of a presentation. It may come
 * unencrypted even for a `direct_post.jwt` request (§8.3.1). Processed, it ends the open request
 * as `rejected` (`wallet_error`, the wallet's code and description in `detail`) and is answered
 * `200`, with the `redirect_uri` of a same-device request so that its browser comes back.
 */
export async function acceptWalletError(
  options: { sessions: VerificationSessions; decided: PresentationDecided },
  { tenantContext, profile }: ResolvedVerifier,
  requestId: string,
  params: Record<string, unknown>,
): Promise<ResponseEndpointAnswer> {
  const error = errorText(params.error, MAX_ERROR_LENGTH, 'error') as string
  const description = errorText(params.error_description, MAX_DESCRIPTION_LENGTH, 'error_description')
  const now = Date.now()
  const found = await options.sessions.find(tenantContext.contextCorrelationId, requestId)
  const session = openRequest(found ?? undefined, profile.verifierId, now)
  return decideRequest(options, tenantContext, requestId, session, {
    state: 'rejected',
    decidedAt: new Date(now).toISOString(),
    reason: rejectionReason('wallet_error', description ? `${error}: ${description}` : error),
  })
}
