import { type OpenApiPaths, openApi } from '@attesto/agent-runtime'
import { z } from 'zod'
import { listPresentationRequestsQuery, listVerifiersQuery } from '../routes/listRoutes.js'
import {
  cancelledPresentationRequestResponse,
  deletedVerifierResponse,
  presentationRequestPageResponse,
  verifierPageResponse,
} from '../routes/responses.js'

const { answer, errors } = openApi

/**
 * The verifier's management operations (lists page by page, deletion, cancellation), joined into
 * the verifier's document beside the operations of the same paths. The trusted-issuer and
 * template lists are with their other operations (openapi.ts).
 */
export const verifierManagementOpenApiPaths: OpenApiPaths = {
  '/verifiers': {
    get: {
      operationId: 'listVerifiers',
      tags: ['Verifiers'],
      summary: "The tenant's verifiers, page by page",
      requestParams: { query: listVerifiersQuery },
      responses: { '200': answer('OK', verifierPageResponse), ...errors(400, 401) },
    },
  },
  '/verifiers/{verifierId}': {
    delete: {
      operationId: 'deleteVerifier',
      tags: ['Verifiers'],
      summary: 'Delete a verifier; its open requests are cancelled and no new ones are made for it (repeatable)',
      description: 'Its keys stay in the KMS. Every instance refuses new requests for it within 10 s.',
      requestParams: { path: z.object({ verifierId: z.string() }) },
      responses: { '200': answer('Deleted', deletedVerifierResponse), ...errors(401, 404) },
    },
  },
  '/presentation-requests': {
    get: {
      operationId: 'listPresentationRequests',
      tags: ['Presentation requests'],
      summary: "The tenant's presentation requests, page by page, by status, verifier and created-at range",
      requestParams: { query: listPresentationRequestsQuery },
      responses: { '200': answer('OK', presentationRequestPageResponse), ...errors(400, 401) },
    },
  },
  '/presentation-requests/{requestId}/cancel': {
    post: {
      operationId: 'cancelPresentationRequest',
      tags: ['Presentation requests'],
      summary: 'Cancel an open request: the wallet can no longer fetch or answer it',
      description:
        '409 presentation_request_not_cancellable (with its status) once it is decided, expired or cancelled.',
      requestParams: { path: z.object({ requestId: z.string() }) },
      responses: { '200': answer('Cancelled', cancelledPresentationRequestResponse), ...errors(401, 404, 409) },
    },
  },
}
