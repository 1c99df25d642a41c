import { z } from 'zod'
import type { IssuerProfile, SenderConstraint } from './issuerProfiles.js'

export const dpopInput = z.enum(['required', 'optional']).meta({
  description:
    "DPoP (RFC 9449) at the token endpoint. 'required': a token request without a DPoP proof is refused and every access token is DPoP-bound; 'optional' (the default): a request with a proof gets a DPoP-bound token, one without a Bearer token",
})

export const clientAttestationInput = z.enum(['required', 'optional']).meta({
  description:
    "Wallet attestation (attestation-based client authentication, draft -07) at the token endpoint. 'required': public clients are refused, every token request must carry an attestation from one of the tenant's wallet providers; 'optional' (the default): public clients are permitted, and an attestation that comes is checked",
})

/** An issuer's DPoP policy; profiles stored before the setting existed keep Bearer tokens available. */
export const dpopOf = (profile: Pick<IssuerProfile, 'dpop'>): SenderConstraint => profile.dpop ?? 'optional'

/** An issuer's wallet attestation policy; profiles stored before the setting existed permit public clients. */
export const clientAttestationOf = (profile: Pick<IssuerProfile, 'clientAttestation'>): SenderConstraint =>
  profile.clientAttestation ?? 'optional'
