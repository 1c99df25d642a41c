import { createHash } from 'node:crypto'
import type { StatusListTokenResolver } from '@attesto/did-cache'
import { checkCredentialStatus } from '../verification/checkCredentialStatus.js'
import { PresentationRefusal } from '../verification/rejectionReason.js'
import { trustedAuthoritiesVerdict } from '../verification/trustedAuthorities.js'
import type { VerificationSessions } from '../verification/VerificationSessions.js'
import { issuersOf, policyVerdict, presentedCredentials, verifyVpToken } from '../verification/verifyVpToken.js'
import type { PresentationDecided } from '../webhooks/verifierWebhooks.js'
import { decideRequest, type ResponseEndpointAnswer } from './decideRequest.js'
import { decryptResponse } from './decryptResponse.js'
import { protocolUrls } from './requestObject.js'
import { openRequest, refused } from './responseRefusal.js'
import type { ResolvedVerifier, VerifierDirectory } from './VerifierDirectory.js'
import { acceptWalletError } from './walletErrorResponse.js'

export interface AcceptAuthorizationResponseOptions {
  /** The verifier's public base URL: the request's `response_uri`, which an mdoc's device signature covers. */
  baseUrl: string
  directory: VerifierDirectory
  sessions: VerificationSessions
  decided: PresentationDecided
  /** Reads credentials' status lists (cached). */
  statusLists: StatusListTokenResolver
  /** When a status list cannot be fetched and the request does not say: reject or accept flagged. */
  statusUnavailable: 'reject' | 'accept'
}

function digestOf(vpToken: unknown): string {
  return createHash('sha256')
    .update(typeof vpToken === 'string' ? vpToken : JSON.stringify(vpToken ?? null))
    .digest('base64url')
}

/** The response parameters: decrypted from `response` (direct_post.jwt), or the form itself. */
async function responseParameters(
  options: AcceptAuthorizationResponseOptions,
  resolved: ResolvedVerifier,
  body: Record<string, unknown>,
): Promise<{ params: Record<string, unknown>; encrypted: boolean }> {
  if (typeof body.response !== 'string') return { params: body, encrypted: false }
  try {
    return { params: await decryptResponse(options, resolved, body.response), encrypted: true }
  } catch (error) {
    if (!(error instanceof PresentationRefusal)) throw error
    // The JWE did not decrypt to its request: nothing is stored.
    throw refused(error.reason.code, error.reason.detail ?? error.reason.message)
  }
}

/**
 * The OID4VP response endpoint's work: find the open request the response names (its `state`),
 * verify the presentation, and decide the request with one conditional UPDATE. A response that
 * names no open request stores nothing; one that fails a check the holder controls is refused
 * (`400`, the reason code first in `error_description`) and counted on the request, which stays
 * open; a verified presentation ends it as `verified`, or `rejected` when the tenant's policy
 * (trusted issuers, validity period, the query's trusted authorities, then the credentials'
 * status lists) refuses it. The same vp_token posted again is a replay. An error response from
 * the wallet ends the request as `rejected` ({@link acceptWalletError}). Answers what the wallet
 * is told: `redirect_uri` for a same-device request.
 */
export async function acceptAuthorizationResponse(
  options: AcceptAuthorizationResponseOptions,
  verifierId: string,
  body: Record<string, unknown>,
): Promise<ResponseEndpointAnswer> {
  const resolved = await options.directory.resolve(verifierId)
  if (!resolved) throw refused('unknown_request', 'No such verifier')
  const { tenantContext } = resolved
  const { params, encrypted } = await responseParameters(options, resolved, body)
  const requestId = params.state
  if (typeof requestId !== 'string' || requestId.length === 0 || requestId.length > 128) {
    throw refused('unknown_request', 'The response names no request (state)')
  }
  if (params.error !== undefined) return acceptWalletError(options, resolved, requestId, params)
  const { contextCorrelationId } = tenantContext
  const vpToken = params.vp_token
  const issuers = issuersOf(vpToken)
  const found = await options.sessions.findWithTrust(contextCorrelationId, requestId, issuers.dids, issuers.x509)
  const digest = digestOf(vpToken)
  const now = Date.now()
  const session = openRequest(found?.session, verifierId, now, digest)
  const { trusted, anchors } = found as NonNullable<typeof found>

  const nowSeconds = Math.floor(now / 1000)
  let verified: Awaited<ReturnType<typeof verifyVpToken>>
  try {
    if (session.responseMode === 'direct_post.jwt' && !encrypted) {
      throw new PresentationRefusal(
        'verification_failed',
        'This request asks for an encrypted response (direct_post.jwt)',
      )
    }
    verified = await verifyVpToken(tenantContext, vpToken, session, nowSeconds, anchors, {
      responseUri: protocolUrls(options.baseUrl, verifierId, requestId).responseUri,
      // The key this request's response is encrypted to (OID4VP 1.0 B.2.6.1: its thumbprint is bound).
      encryptionJwk:
        session.responseMode === 'direct_post.jwt'
          ? (session.responseKey?.publicJwk ?? resolved.profile.encryptionKey?.publicJwk)
          : undefined,
    })
  } catch (error) {
    if (!(error instanceof PresentationRefusal)) throw error
    await options.sessions.recordRefusal(contextCorrelationId, requestId, {
      at: new Date(now).toISOString(),
      reason: error.reason,
    })
    throw refused(error.reason.code, error.reason.detail ?? error.reason.message)
  }
  const acceptUnavailable = (session.statusUnavailable ?? options.statusUnavailable) === 'accept'
  const policy = policyVerdict(verified, trusted, nowSeconds) ?? trustedAuthoritiesVerdict(verified, session.dcqlQuery)
  const status = policy
    ? { unchecked: new Set<number>() }
    : await checkCredentialStatus(tenantContext, options.statusLists, verified, acceptUnavailable)
  const verdict = policy ?? status.verdict
  return decideRequest(options, tenantContext, requestId, session, {
    state: verdict ? 'rejected' : 'verified',
    decidedAt: new Date(now).toISOString(),
    ...(verdict ? { reason: verdict } : { credentials: presentedCredentials(verified, status.unchecked) }),
    responseDigest: digest,
  })
}
