import { OpenId4VcIssuanceSessionState } from '@credo-ts/openid4vc'

export type OfferStatus = 'offered' | 'token_issued' | 'credential_issued' | 'expired' | 'failed'

/** The public status of an offer, from Credo's issuance session state and the offer's expiry. */
export function offerStatus(state: OpenId4VcIssuanceSessionState, expiresAt: number, now = Date.now()): OfferStatus {
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
