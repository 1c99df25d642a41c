import type { AgentContext } from '@credo-ts/core'
import {
  type OpenId4VcVerificationSessionRecord,
  OpenId4VcVerificationSessionState,
  OpenId4VcVerifierApi,
} from '@credo-ts/openid4vc'
import {
  type PresentationStatus,
  type PresentedCredential,
  presentationStatus,
  presentedCredentials,
} from './presentationResult.js'
import { type RejectionReason, rejectionReason } from './rejectionReason.js'
import { trustedIssuers } from './verifierDocuments.js'

export interface PresentationOutcome {
  status: PresentationStatus
  reason?: RejectionReason
  /** Only when verified: the disclosed claims of each credential, with its issuer and type. */
  credentials?: PresentedCredential[]
}

/**
 * What a presentation request came to: pending, expired, rejected with its reason (including an
 * issuer the tenant does not trust), or verified with the disclosed claims.
 */
export async function presentationOutcome(
  tenantContext: AgentContext,
  session: OpenId4VcVerificationSessionRecord,
): Promise<PresentationOutcome> {
  const status = presentationStatus(session.state, session.expiresAt)
  if (session.state === OpenId4VcVerificationSessionState.Error) {
    return { status, reason: rejectionReason(session.errorMessage) }
  }
  if (status !== 'verified') return { status }
  const api = tenantContext.dependencyManager.resolve(OpenId4VcVerifierApi)
  const credentials = presentedCredentials(await api.getVerifiedAuthorizationResponse(session.id))
  const trusted = new Set((await trustedIssuers.list(tenantContext)).map((issuer) => issuer.did))
  const untrusted = credentials.filter(
    (credential) => !credential.issuer || !trusted.has(credential.issuer.split('#')[0] as string),
  )
  if (untrusted.length > 0) {
    return {
      status: 'rejected',
      reason: {
        code: 'untrusted_issuer',
        message: `Issuer ${untrusted.map((credential) => credential.issuer ?? '(none)').join(', ')} is not a trusted issuer of this tenant`,
      },
    }
  }
  return { status, credentials }
}
