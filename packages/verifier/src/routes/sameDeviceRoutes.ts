import { type BoundRoute, feature, openApi, operation, type TenantRequestLocals } from '@attesto/agent-runtime'
import { DomainError } from '@attesto/protocol-kit'
import { z } from 'zod'
import { MAX_REDIRECT_URIS, redirectUri, verifierRedirectUris } from '../verification/redirectUris.js'
import type { RedemptionRefusal, SameDeviceResults } from '../verification/SameDeviceResults.js'
import { verifierProfiles } from '../verification/verifierDocuments.js'
import { presentationResultResponse, responseCodeRefused } from './presentationResponses.js'
import { presentationResult } from './presentationRoutes.js'
import { redirectUrisResponse } from './responses.js'

const { answer, errors } = openApi

export const redirectUrisInput = (allowHttpLoopback: boolean) =>
  z.strictObject({ redirectUris: z.array(redirectUri(allowHttpLoopback)).min(1).max(MAX_REDIRECT_URIS) })
export const redeemResultInput = z.strictObject({
  /** The `response_code` the frontend found in its URL's fragment. */
  responseCode: z.string().min(1).max(512),
})

/** What each refusal says (its status is its code's: 404, 409 for a cross-device request, 403 otherwise). */
const REFUSALS: Record<RedemptionRefusal, string> = {
  presentation_request_not_found: 'No such presentation request',
  response_code_not_applicable:
    'This is a cross-device request: read its result with GET /presentation-requests/{requestId}',
  response_code_invalid: "This is not this request's response code (or the wallet has not answered yet)",
  response_code_used: 'This response code has released the result already',
  response_code_expired: 'This response code is no longer valid (10 minutes)',
}

const verifierPath = z.object({ verifierId: z.string() })

export const putVerifierRedirectUris = operation({
  method: 'put',
  path: '/verifiers/{verifierId}/redirect-uris',
  operationId: 'putVerifierRedirectUris',
  tags: ['Verifiers'],
  summary:
    "Set the frontend pages the verifier's same-device requests may send the browser back to (replaces the list)",
  description:
    'Exact URIs, compared after normalisation: https, no user information, no fragment (the response code is added as one); http only for localhost, 127.0.0.1 and [::1], and only while the verifier itself runs on http (development). A request names one of them, or gets the first.',
  params: verifierPath,
  body: {
    required: true,
    // As documented: https only. The handler parses with the service's own rule (http loopback in development).
    schema: redirectUrisInput(false).meta({ examples: [{ redirectUris: ['https://bank.example/verify/done'] }] }),
  },
  responses: { '200': answer('Stored', redirectUrisResponse), ...errors(400, 401, 404) },
})

export const getVerifierRedirectUris = operation({
  method: 'get',
  path: '/verifiers/{verifierId}/redirect-uris',
  operationId: 'getVerifierRedirectUris',
  tags: ['Verifiers'],
  summary: "The verifier's redirect URIs for same-device requests",
  params: verifierPath,
  responses: { '200': answer('OK', redirectUrisResponse), ...errors(401, 404) },
})

export const redeemPresentationResult = operation({
  method: 'post',
  path: '/presentation-requests/{requestId}/result',
  operationId: 'redeemPresentationResult',
  tags: ['Presentation requests'],
  summary: "A same-device request's result, released once to the response code its frontend received",
  description:
    "The wallet sends the browser to the request's redirect URI with #response_code=…; the frontend hands the code to its backend, which calls this with the request id it keeps in the browser's session. A wrong code, one already used or older than 10 minutes is 403 and releases nothing; a cross-device request is 409 response_code_not_applicable.",
  params: z.object({ requestId: z.string() }),
  body: {
    required: true,
    schema: redeemResultInput.meta({ examples: [{ responseCode: 'Xq3v…43 base64url characters' }] }),
  },
  responses: {
    '200': answer('The result', presentationResultResponse),
    ...errors(400, 401, 404, 409),
    ...responseCodeRefused('response_code_invalid, response_code_used, response_code_expired'),
  },
})

/**
 * The same-device flow (docs/SAME-DEVICE.md):
 * - `PUT /verifiers/:verifierId/redirect-uris` sets the frontend pages (exact URIs, https; http
 *   only for localhost in development) that the verifier's same-device requests may send the
 *   browser back to; `GET` reads them.
 * - `POST /presentation-requests/:requestId/result` releases a same-device request's result to
 *   the `responseCode` its frontend received, once.
 */
function sameDeviceRoutes(options: { baseUrl: string; results: SameDeviceResults }): BoundRoute[] {
  const allowHttpLoopback = options.baseUrl.startsWith('http:')

  const putRedirectUris = putVerifierRedirectUris.handle(async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const { verifierId } = await verifierProfiles.get(tenantContext, putVerifierRedirectUris.params(request).verifierId)
    const { redirectUris } = redirectUrisInput(allowHttpLoopback).parse(request.body)
    const document = { verifierId, redirectUris: [...new Set(redirectUris)] }
    await verifierRedirectUris.put(tenantContext, verifierId, document)
    response.json(document)
  })

  const getRedirectUris = getVerifierRedirectUris.handle(async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const { verifierId } = await verifierProfiles.get(tenantContext, getVerifierRedirectUris.params(request).verifierId)
    const stored = await verifierRedirectUris.find(tenantContext, verifierId)
    response.json({ verifierId, redirectUris: stored?.redirectUris ?? [] })
  })

  const redeem = redeemPresentationResult.handle(async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const { requestId } = redeemPresentationResult.params(request)
    const { responseCode } = redeemPresentationResult.body(request)
    const redeemed = await options.results.redeem(tenantContext.contextCorrelationId, requestId, responseCode)
    if ('refusal' in redeemed) throw new DomainError(redeemed.refusal, REFUSALS[redeemed.refusal])
    response.set('Cache-Control', 'no-store').json(presentationResult(requestId, redeemed.session))
  })

  return [putRedirectUris, getRedirectUris, redeem]
}

/** The same-device flow's operations (docs/SAME-DEVICE.md). */
export const sameDeviceFeature = feature({
  name: 'same-device flow',
  operations: [putVerifierRedirectUris, getVerifierRedirectUris, redeemPresentationResult],
  routes: sameDeviceRoutes,
})
