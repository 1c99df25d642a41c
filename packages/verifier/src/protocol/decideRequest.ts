import type { AgentContext } from '@credo-ts/core'
import { newResponseCode, redirectWithResponseCode } from '../verification/responseCode.js'
import type { VerificationSession } from '../verification/VerificationSession.js'
import type { VerificationSessions } from '../verification/VerificationSessions.js'
import type { PresentationDecided } from '../webhooks/verifierWebhooks.js'
import { refused } from './responseRefusal.js'
import { countVerification } from './verificationMetrics.js'

/** What the response endpoint answers the wallet (OID4VP 1.0 §8.2): `redirect_uri` in the same-device flow. */
export interface ResponseEndpointAnswer {
  redirect_uri?: string
}

export type RequestOutcome = Pick<
  VerificationSession,
  'state' | 'decidedAt' | 'reason' | 'credentials' | 'responseDigest'
>

/**
 * Decides an open request once (one conditional UPDATE), counts it and tells the webhooks. A
 * same-device request gets its response code in the same statement (only its digest is stored),
 * and the wallet is answered the frontend's redirect URI with the code, so that only the browser
 * the wallet sends back can have the result released (OID4VP 1.0 §14.2, session fixation).
 */
export async function decideRequest(
  options: { sessions: VerificationSessions; decided: PresentationDecided },
  tenantContext: AgentContext,
  requestId: string,
  session: VerificationSession,
  outcome: RequestOutcome,
): Promise<ResponseEndpointAnswer> {
  const responseCode = session.sameDevice ? newResponseCode() : undefined
  const sameDevice =
    session.sameDevice && responseCode
      ? { sameDevice: { redirectUri: session.sameDevice.redirectUri, responseCodeSha256: responseCode.sha256 } }
      : {}
  const decided = await options.sessions.decide(tenantContext.contextCorrelationId, requestId, {
    ...outcome,
    ...sameDevice,
  })
  if (!decided) throw refused('request_closed', 'This request was answered or expired meanwhile')
  countVerification(outcome.state === 'verified' ? 'verified' : 'rejected', outcome.reason?.code) // metrics: attesto_verification_outcomes_total
  options.decided(tenantContext, requestId, decided)
  return session.sameDevice && responseCode
    ? { redirect_uri: redirectWithResponseCode(session.sameDevice.redirectUri, responseCode.code) }
    : {}
}
