import { HttpError, type TenantRequestLocals } from '@attesto/agent-runtime'
import { Router } from 'express'
import { z } from 'zod'
import { MAX_REDIRECT_URIS, redirectUri, verifierRedirectUris } from '../verification/redirectUris.js'
import type { RedemptionRefusal, SameDeviceResults } from '../verification/SameDeviceResults.js'
import { verifierProfiles } from '../verification/verifierDocuments.js'
import { presentationResult } from './presentationRoutes.js'

export const redirectUrisInput = (allowHttpLoopback: boolean) =>
  z.strictObject({ redirectUris: z.array(redirectUri(allowHttpLoopback)).min(1).max(MAX_REDIRECT_URIS) })
export const redeemResultInput = z.strictObject({
  /** The `response_code` the frontend found in its URL's fragment. */
  responseCode: z.string().min(1).max(512),
})

const REFUSALS: Record<RedemptionRefusal, { status: number; message: string }> = {
  presentation_request_not_found: { status: 404, message: 'No such presentation request' },
  response_code_not_applicable: {
    status: 409,
    message: 'This is a cross-device request: read its result with GET /presentation-requests/{requestId}',
  },
  response_code_invalid: {
    status: 403,
    message: "This is not this request's response code (or the wallet has not answered yet)",
  },
  response_code_used: { status: 403, message: 'This response code has released the result already' },
  response_code_expired: { status: 403, message: 'This response code is no longer valid (10 minutes)' },
}

/**
 * The same-device flow (docs/SAME-DEVICE.md):
 * - `PUT /verifiers/:verifierId/redirect-uris` sets the frontend pages (exact URIs, https; http
 *   only for localhost in development) that the verifier's same-device requests may send the
 *   browser back to; `GET` reads them.
 * - `POST /presentation-requests/:requestId/result` releases a same-device request's result to
 *   the `responseCode` its frontend received, once.
 */
export function sameDeviceRoutes(options: { baseUrl: string; results: SameDeviceResults }): Router {
  const router = Router()
  const allowHttpLoopback = options.baseUrl.startsWith('http:')

  router.put('/verifiers/:verifierId/redirect-uris', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const { verifierId } = await verifierProfiles.get(tenantContext, request.params.verifierId as string)
    const { redirectUris } = redirectUrisInput(allowHttpLoopback).parse(request.body)
    const document = { verifierId, redirectUris: [...new Set(redirectUris)] }
    await verifierRedirectUris.put(tenantContext, verifierId, document)
    response.json(document)
  })

  router.get('/verifiers/:verifierId/redirect-uris', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const { verifierId } = await verifierProfiles.get(tenantContext, request.params.verifierId as string)
    const stored = await verifierRedirectUris.find(tenantContext, verifierId)
    response.json({ verifierId, redirectUris: stored?.redirectUris ?? [] })
  })

  router.post('/presentation-requests/:requestId/result', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const requestId = request.params.requestId as string
    const { responseCode } = redeemResultInput.parse(request.body)
    const redeemed = await options.results.redeem(tenantContext.contextCorrelationId, requestId, responseCode)
    if ('refusal' in redeemed) {
      const { status, message } = REFUSALS[redeemed.refusal]
      throw new HttpError(status, redeemed.refusal, message)
    }
    response.set('Cache-Control', 'no-store').json(presentationResult(requestId, redeemed.session))
  })

  return router
}
