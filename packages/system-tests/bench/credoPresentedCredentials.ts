import type { OpenId4VpVerifiedAuthorizationResponse } from '@credo-ts/openid4vc'

// The baseline's result, reported the way our verifier reports it: the disclosed claims of each
// presented credential (registered JWT claims removed), with its issuer and type.

/** JWT and SD-JWT VC claims about the credential itself rather than its subject. */
const REGISTERED_CLAIMS = new Set(['iss', 'vct', 'cnf', 'iat', 'exp', 'nbf', 'status', '_sd_alg'])

interface SdJwtPresentation {
  prettyClaims?: Record<string, unknown>
}

export function presentedCredentials(verified: OpenId4VpVerifiedAuthorizationResponse) {
  const presentations = (verified.dcql?.presentations ?? {}) as Record<string, SdJwtPresentation[]>
  return Object.entries(presentations).flatMap(([queryId, entries]) =>
    entries.map((entry) => {
      const pretty = entry.prettyClaims ?? {}
      const claims = Object.fromEntries(Object.entries(pretty).filter(([name]) => !REGISTERED_CLAIMS.has(name)))
      return { queryId, issuer: pretty.iss as string | undefined, vct: pretty.vct as string | undefined, claims }
    }),
  )
}
