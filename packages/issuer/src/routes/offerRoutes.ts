import { HttpError, type TenantRequestLocals, withIdempotency } from '@attesto/agent-runtime'
import { RecordNotFoundError } from '@credo-ts/core'
import { OpenId4VcIssuerApi } from '@credo-ts/openid4vc'
import { Router } from 'express'
import { z } from 'zod'
import { createOffer, offerTarget } from '../issuance/createOffer.js'
import { validateClaims } from '../issuance/credentialConfiguration.js'
import type { IssuanceMetadata } from '../issuance/issuanceMetadata.js'
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
    const target = await offerTarget(tenantContext, input.issuerId, input.credentialConfigurationId)
    validateClaims(target.configuration, input.claims)
    const result = await withIdempotency(tenantContext, request, async () => ({
      status: 201,
      body: await createOffer(tenantContext, target, {
        claims: input.claims,
        txCodeLength: input.txCode ? input.txCode.length : undefined,
        expiresInSeconds: input.expiresInSeconds,
      }),
    }))
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
