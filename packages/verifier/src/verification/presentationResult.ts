import { OpenId4VcVerificationSessionState, type OpenId4VpVerifiedAuthorizationResponse } from '@credo-ts/openid4vc'

export type PresentationStatus = 'pending' | 'verified' | 'rejected' | 'expired'

export interface PresentedCredential {
  queryId: string
  issuer: string | undefined
  vct: string | undefined
  claims: Record<string, unknown>
}

interface SdJwtPresentation {
  prettyClaims?: Record<string, unknown>
}

/** JWT and SD-JWT VC claims about the credential itself rather than its subject. */
const REGISTERED_CLAIMS = new Set(['iss', 'vct', 'cnf', 'iat', 'exp', 'nbf', 'status', '_sd_alg'])

/** The disclosed claims of each presented credential (registered JWT claims removed), with its issuer and type. */
export function presentedCredentials(verified: OpenId4VpVerifiedAuthorizationResponse): PresentedCredential[] {
  const presentations = (verified.dcql?.presentations ?? {}) as Record<string, SdJwtPresentation[]>
  return Object.entries(presentations).flatMap(([queryId, entries]) =>
    entries.map((entry) => {
      const pretty = entry.prettyClaims ?? {}
      const claims = Object.fromEntries(Object.entries(pretty).filter(([name]) => !REGISTERED_CLAIMS.has(name)))
      return { queryId, issuer: pretty.iss as string | undefined, vct: pretty.vct as string | undefined, claims }
    }),
  )
}

/**
 * The public status of a presentation request: pending until the wallet answers; rejected (with
 * Credo's reason) when the response failed verification, or with `untrusted_issuer` when a
 * credential comes from an issuer the tenant does not trust; expired when nobody answered in time.
 */
export function presentationStatus(
  state: OpenId4VcVerificationSessionState,
  expiresAt: Date | undefined,
  now = Date.now(),
): PresentationStatus {
  if (state === OpenId4VcVerificationSessionState.ResponseVerified) return 'verified'
  if (state === OpenId4VcVerificationSessionState.Error) return 'rejected'
  return expiresAt && now > expiresAt.getTime() ? 'expired' : 'pending'
}
