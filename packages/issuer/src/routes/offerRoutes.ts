import { HttpError, type TenantRequestLocals, withIdempotency } from '@attesto/agent-runtime'
import { RecordNotFoundError } from '@credo-ts/core'
import { OpenId4VcIssuerApi } from '@credo-ts/openid4vc'
import { Router } from 'express'
import { z } from 'zod'
import { validateClaims } from '../issuance/credentialConfiguration.js'
import type { IssuanceMetadata } from '../issuance/issuanceMetadata.js'
import { issuerProfiles } from '../issuance/issuerProfiles.js'
import { offerStatus } from '../issuance/offerStatus.js'

const createOfferInput = z.object({
  issuerId: z.string().min(1),
  credentialConfigurationId: z.string().min(1),
  claims: z.record(z.string(), z.unknown()),
  /** Require a transaction code (sent to the holder out of band), 4 to 8 digits. */
  txCode: z.union([z.literal(false), z.object({ length: z.number().int().min(4).max(8).default(6) })]).default(false),
  expiresInSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .default(7 * 24 * 3600),
})

/**
 * `POST /offers` (honours `Idempotency-Key`) creates an OID4VCI pre-authorised offer and returns
 * its `openid-credential-offer://` URI; `GET /offers/:offerId` reports offered, token_issued,
 * credential_issued, expired or failed.
 */
export function offerRoutes(): Router {
  const router = Router()

  router.post('/offers', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const input = createOfferInput.parse(request.body)
    const profile = await issuerProfiles.get(tenantContext, input.issuerId)
    const configuration = profile.configurations[input.credentialConfigurationId]
    if (!configuration) {
      throw new HttpError(
        404,
        'credential_configuration_not_found',
        `Issuer '${input.issuerId}' has no credential configuration '${input.credentialConfigurationId}'`,
      )
    }
    validateClaims(configuration, input.claims)

    const result = await withIdempotency(tenantContext, request, async () => {
      const expiresAt = Date.now() + input.expiresInSeconds * 1000
      const issuanceMetadata: IssuanceMetadata = {
        vct: configuration.vct,
        issuerDidUrl: profile.didUrl,
        claims: input.claims,
        disclosable: configuration.claims.filter((claim) => claim.selectivelyDisclosable).map((claim) => claim.name),
        expiresAt,
      }
      const { credentialOffer, issuanceSession } = await tenantContext.dependencyManager
        .resolve(OpenId4VcIssuerApi)
        .createCredentialOffer({
          issuerId: profile.issuerId,
          credentialConfigurationIds: [configuration.id],
          // Credo's own offer expiry (its default is 3 minutes) follows the API's.
          expirationInSeconds: input.expiresInSeconds,
          preAuthorizedCodeFlowConfig: input.txCode
            ? { txCode: { length: input.txCode.length, input_mode: 'numeric' } }
            : {},
          issuanceMetadata: { ...issuanceMetadata },
        })
      return {
        status: 201,
        body: {
          offerId: issuanceSession.id,
          uri: credentialOffer,
          ...(issuanceSession.userPin ? { txCode: issuanceSession.userPin } : {}),
          expiresAt: new Date(expiresAt).toISOString(),
        },
      }
    })
    response.status(result.status).json(result.body)
  })

  router.get('/offers/:offerId', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const session = await tenantContext.dependencyManager
      .resolve(OpenId4VcIssuerApi)
      .getIssuanceSessionById(request.params.offerId as string)
      .catch((error: unknown) => {
        if (error instanceof RecordNotFoundError) {
          throw new HttpError(404, 'offer_not_found', `No offer '${request.params.offerId}' in this tenant`)
        }
        throw error
      })
    const metadata = session.issuanceMetadata as unknown as IssuanceMetadata
    response.json({
      offerId: session.id,
      issuerId: session.issuerId,
      credentialConfigurationIds: session.credentialOfferPayload?.credential_configuration_ids,
      status: offerStatus(session.state, metadata.expiresAt),
      createdAt: session.createdAt.toISOString(),
      expiresAt: new Date(metadata.expiresAt).toISOString(),
    })
  })

  return router
}
