import { ClaimFormat, CredoError } from '@credo-ts/core'
import type { OpenId4VciCredentialRequestToCredentialMapper } from '@credo-ts/openid4vc'

/** What an offer carries to the credential endpoint: everything the mapper needs, so it needs no lookup. */
export interface IssuanceMetadata {
  vct: string
  issuerDidUrl: string
  claims: Record<string, unknown>
  disclosable: string[]
  /** Epoch milliseconds after which the offer may not be redeemed. */
  expiresAt: number
}

/**
 * Turns a credential request into an SD-JWT VC (`dc+sd-jwt`) from the offer's issuance
 * metadata: the vct, the claims, which of them are selectively disclosable, and the issuer DID
 * of the tenant that made the offer. One credential per holder key.
 */
export const credentialRequestToCredentialMapper: OpenId4VciCredentialRequestToCredentialMapper = ({
  holderBinding,
  issuanceSession,
}) => {
  const metadata = issuanceSession.issuanceMetadata as unknown as IssuanceMetadata | undefined
  if (!metadata?.issuerDidUrl) throw new CredoError('This offer was not created through the issuer API')
  if (Date.now() > metadata.expiresAt) throw new CredoError('The credential offer has expired')
  return {
    type: 'credentials',
    format: ClaimFormat.SdJwtDc,
    credentials: holderBinding.keys.map((holder) => ({
      payload: { vct: metadata.vct, ...metadata.claims },
      holder,
      issuer: { method: 'did', didUrl: metadata.issuerDidUrl },
      disclosureFrame: { _sd: metadata.disclosable.filter((name) => name in metadata.claims) },
    })),
  }
}
