import { HttpError, type TenantRequestLocals, withIdempotency } from '@attesto/agent-runtime'
import { RecordNotFoundError } from '@credo-ts/core'
import { OpenId4VcVerifierApi } from '@credo-ts/openid4vc'
import { Router } from 'express'
import { z } from 'zod'
import { dcqlInput } from '../verification/dcqlInput.js'
import { presentationOutcome } from '../verification/presentationOutcome.js'
import { MAX_REQUEST_LIFETIME_SECONDS } from '../verification/responseReplayGuard.js'
import { presentationTemplates, verifierProfiles } from '../verification/verifierDocuments.js'

const createPresentationRequestInput = z.object({
  verifierId: z.string().min(1),
  /** The query itself, or… */
  dcql: dcqlInput.optional(),
  /** …the id of a stored template. */
  templateId: z.string().min(1).optional(),
  /** How long the wallet has to answer; Credo's default is 5 minutes. */
  expiresInSeconds: z.number().int().min(1).max(MAX_REQUEST_LIFETIME_SECONDS).optional(),
})

/**
 * `POST /presentation-requests` (honours `Idempotency-Key`) creates a signed OID4VP 1.0 request
 * with a DCQL query, given or from a stored template, and returns its `openid4vp://` URI. `GET /presentation-requests/:requestId`
 * reports pending, verified (with the disclosed claims and their issuer), rejected (with the
 * reason) or expired.
 */
export function presentationRoutes(): Router {
  const router = Router()

  router.post('/presentation-requests', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const input = createPresentationRequestInput.parse(request.body)
    if (Boolean(input.dcql) === Boolean(input.templateId)) {
      throw new HttpError(400, 'invalid_request', "Give either 'dcql' (a DCQL query) or 'templateId', not both")
    }
    const profile = await verifierProfiles.get(tenantContext, input.verifierId)
    const dcql = input.dcql ?? (await presentationTemplates.get(tenantContext, input.templateId as string)).dcql
    const result = await withIdempotency(tenantContext, request, async () => {
      const { authorizationRequest, verificationSession } = await tenantContext.dependencyManager
        .resolve(OpenId4VcVerifierApi)
        .createAuthorizationRequest({
          verifierId: profile.verifierId,
          requestSigner: { method: 'did', didUrl: profile.didUrl },
          dcql: { query: dcql.query as never },
          version: 'v1',
          expirationInSeconds: input.expiresInSeconds,
        })
      return {
        status: 201,
        body: {
          requestId: verificationSession.id,
          uri: authorizationRequest,
          expiresAt: verificationSession.expiresAt?.toISOString(),
        },
      }
    })
    response.status(result.status).json(result.body)
  })

  router.get('/presentation-requests/:requestId', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const api = tenantContext.dependencyManager.resolve(OpenId4VcVerifierApi)
    const session = await api.getVerificationSessionById(request.params.requestId as string).catch((error: unknown) => {
      if (error instanceof RecordNotFoundError) {
        throw new HttpError(
          404,
          'presentation_request_not_found',
          `No presentation request '${request.params.requestId}'`,
        )
      }
      throw error
    })
    const base = { requestId: session.id, verifierId: session.verifierId, createdAt: session.createdAt.toISOString() }
    response.json({ ...base, ...(await presentationOutcome(tenantContext, session)) })
  })

  return router
}
