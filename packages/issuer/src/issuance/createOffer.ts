import { HttpError } from '@attesto/agent-runtime'
import type { AgentContext } from '@credo-ts/core'
import { OpenId4VcIssuerApi } from '@credo-ts/openid4vc'
import { type CredentialConfiguration, validateClaims } from './credentialConfiguration.js'
import type { IssuanceMetadata } from './issuanceMetadata.js'
import { type IssuerProfile, issuerProfiles } from './issuerProfiles.js'

export interface OfferInput {
  claims: Record<string, unknown>
  /** Require a transaction code of this many digits (sent to the holder out of band). */
  txCodeLength?: number
  expiresInSeconds: number
  /** Chosen by the caller instead of by Credo: lets a retried job find the offer it made before. */
  preAuthorizedCode?: string
  /** For a deferred configuration: seconds between the wallet's deferred-credential requests. */
  deferralIntervalSeconds?: number
}

export interface CreatedOffer {
  offerId: string
  uri: string
  txCode?: string
  expiresAt: string
}

/** The issuer profile and one of its credential configurations; 404s name what is missing. */
export async function offerTarget(
  tenantContext: AgentContext,
  issuerId: string,
  credentialConfigurationId: string,
): Promise<{ profile: IssuerProfile; configuration: CredentialConfiguration }> {
  const profile = await issuerProfiles.get(tenantContext, issuerId)
  const configuration = profile.configurations[credentialConfigurationId]
  if (!configuration) {
    throw new HttpError(
      404,
      'credential_configuration_not_found',
      `Issuer '${issuerId}' has no credential configuration '${credentialConfigurationId}'`,
    )
  }
  return { profile, configuration }
}

/**
 * Creates one OID4VCI pre-authorised offer of claims already checked against the configuration
 * (see {@link validateClaims}): the issuance metadata carries everything the credential mapper
 * needs, and Credo's own expiry follows the offer's (its default is 3 minutes). An offer of a
 * deferred configuration may come without claims: they are approved later.
 */
export async function createOffer(
  tenantContext: AgentContext,
  { profile, configuration }: { profile: IssuerProfile; configuration: CredentialConfiguration },
  input: OfferInput,
): Promise<CreatedOffer> {
  const expiresAt = Date.now() + input.expiresInSeconds * 1000
  const issuanceMetadata: IssuanceMetadata = {
    vct: configuration.vct,
    issuerDidUrl: profile.didUrl,
    claims: input.claims,
    disclosable: configuration.claims.filter((claim) => claim.selectivelyDisclosable).map((claim) => claim.name),
    expiresAt,
    ...(configuration.deferred ? { deferred: true, deferralIntervalSeconds: input.deferralIntervalSeconds ?? 30 } : {}),
  }
  const { credentialOffer, issuanceSession } = await tenantContext.dependencyManager
    .resolve(OpenId4VcIssuerApi)
    .createCredentialOffer({
      issuerId: profile.issuerId,
      credentialConfigurationIds: [configuration.id],
      expirationInSeconds: input.expiresInSeconds,
      preAuthorizedCodeFlowConfig: {
        ...(input.preAuthorizedCode ? { preAuthorizedCode: input.preAuthorizedCode } : {}),
        ...(input.txCodeLength ? { txCode: { length: input.txCodeLength, input_mode: 'numeric' as const } } : {}),
      },
      issuanceMetadata: { ...issuanceMetadata },
      // A deferred credential may be collected long after the 3-minute access token is gone.
      generateRefreshTokens: configuration.deferred,
    })
  return {
    offerId: issuanceSession.id,
    uri: credentialOffer,
    ...(issuanceSession.userPin ? { txCode: issuanceSession.userPin } : {}),
    expiresAt: new Date(expiresAt).toISOString(),
  }
}
