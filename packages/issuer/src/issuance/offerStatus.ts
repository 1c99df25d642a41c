import { OpenId4VcIssuanceSessionState } from '@credo-ts/openid4vc'

export type OfferStatus = 'offered' | 'token_issued' | 'credential_pending' | 'credential_issued' | 'expired' | 'failed'

/**
 * The public status of an offer, from Credo's issuance session state, the offer's expiry, and
 * whether a deferred credential is waiting to be collected.
 */
export function offerStatus(
  state: OpenId4VcIssuanceSessionState,
  expiresAt: number,
  deferredPending = false,
  now = Date.now(),
): OfferStatus {
  if (deferredPending && state !== OpenId4VcIssuanceSessionState.Error) return 'credential_pending'
  switch (state) {
    case OpenId4VcIssuanceSessionState.Completed:
    case OpenId4VcIssuanceSessionState.CredentialsPartiallyIssued:
      return 'credential_issued'
    case OpenId4VcIssuanceSessionState.Error:
      return now > expiresAt ? 'expired' : 'failed'
    case OpenId4VcIssuanceSessionState.AccessTokenCreated:
    case OpenId4VcIssuanceSessionState.CredentialRequestReceived:
      return now > expiresAt ? 'expired' : 'token_issued'
    default:
      return now > expiresAt ? 'expired' : 'offered'
  }
}
