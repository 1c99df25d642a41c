import { type AgentContext, ClaimFormat, CredoError, type SdJwtVcHolderBinding, utils } from '@credo-ts/core'
import type {
  OpenId4VciCredentialRequestToCredentialMapper,
  OpenId4VciDeferredCredentialRequestToCredentialMapper,
  OpenId4VciSignSdJwtCredentials,
} from '@credo-ts/openid4vc'
import { approvedClaims } from './deferredClaims.js'

/** What an offer carries to the credential endpoint: everything the mapper needs, so it needs no lookup. */
export interface IssuanceMetadata {
  vct: string
  issuerDidUrl: string
  claims: Record<string, unknown>
  disclosable: string[]
  /** Epoch milliseconds after which the offer may not be redeemed. */
  expiresAt: number
  /** Issued later: without claims, the credential request is answered with a deferral. */
  deferred?: boolean
  /** Seconds a wallet is asked to wait between deferred-credential requests. */
  deferralIntervalSeconds?: number
}

function sdJwtCredentials(
  metadata: IssuanceMetadata,
  claims: Record<string, unknown>,
  keys: SdJwtVcHolderBinding[],
): OpenId4VciSignSdJwtCredentials {
  return {
    type: 'credentials',
    format: ClaimFormat.SdJwtDc,
    credentials: keys.map((holder) => ({
      payload: { vct: metadata.vct, ...claims },
      holder,
      issuer: { method: 'did' as const, didUrl: metadata.issuerDidUrl },
      disclosureFrame: { _sd: metadata.disclosable.filter((name) => name in claims) },
    })),
  }
}

/** The claims to issue: the offer's own, or those approved later; undefined while there are none. */
async function claimsFor(agentContext: AgentContext, offerId: string, metadata: IssuanceMetadata) {
  if (!metadata.deferred) return metadata.claims
  if (Object.keys(metadata.claims).length > 0) return metadata.claims
  return (await approvedClaims.find(agentContext, offerId))?.claims
}

/**
 * Turns a credential request into an SD-JWT VC (`dc+sd-jwt`) from the offer's issuance
 * metadata: the vct, the claims, which of them are selectively disclosable, and the issuer DID
 * of the tenant that made the offer. One credential per holder key. A deferred offer without
 * claims yet gets a deferral (the wallet polls the deferred credential endpoint).
 */
export const credentialRequestToCredentialMapper: OpenId4VciCredentialRequestToCredentialMapper = async ({
  agentContext,
  holderBinding,
  issuanceSession,
}) => {
  const metadata = issuanceSession.issuanceMetadata as unknown as IssuanceMetadata | undefined
  if (!metadata?.issuerDidUrl) throw new CredoError('This offer was not created through the issuer API')
  if (Date.now() > metadata.expiresAt) throw new CredoError('The credential offer has expired')
  const claims = await claimsFor(agentContext, issuanceSession.id, metadata)
  if (!claims) {
    return { type: 'deferral', transactionId: utils.uuid(), interval: metadata.deferralIntervalSeconds ?? 30 }
  }
  return sdJwtCredentials(metadata, claims, holderBinding.keys as SdJwtVcHolderBinding[])
}

/** A wallet asks again for a deferred credential: issued once its claims are approved. */
export const deferredCredentialRequestToCredentialMapper: OpenId4VciDeferredCredentialRequestToCredentialMapper =
  async ({ agentContext, issuanceSession, transaction }) => {
    const metadata = issuanceSession.issuanceMetadata as unknown as IssuanceMetadata
    const claims = await claimsFor(agentContext, issuanceSession.id, metadata)
    if (!claims) {
      return {
        type: 'deferral',
        transactionId: transaction.transactionId,
        interval: metadata.deferralIntervalSeconds ?? 30,
      }
    }
    if (!transaction.holderBinding) throw new CredoError('The deferred transaction has no holder binding')
    return sdJwtCredentials(metadata, claims, transaction.holderBinding.keys as SdJwtVcHolderBinding[])
  }
