import {
  openApi,
  pageResponse,
  queryParameters,
  runtimeManagementOpenApiPaths,
  withOpenApiPaths,
} from '@attesto/agent-runtime'
import {
  listPresentationRequestsQuery,
  listTemplatesQuery,
  listTrustedIssuersQuery,
  listVerifiersQuery,
} from '../routes/listRoutes.js'

const { json, errors, pathParameter } = openApi

/** The verifier's management paths (lists, deletion, cancellation), with the shared ones. */
export const verifierManagementOpenApiPaths = {
  ...runtimeManagementOpenApiPaths(),
  '/verifiers': {
    get: {
      summary: "The tenant's verifiers, page by page",
      parameters: queryParameters(listVerifiersQuery),
      responses: {
        ...pageResponse('verifiers', {
          type: 'object',
          properties: { verifierId: { type: 'string' }, did: { type: 'string' } },
        }),
        ...errors(400, 401),
      },
    },
  },
  '/verifiers/{verifierId}': {
    delete: {
      summary:
        'Delete a verifier: its open requests are cancelled and no new ones are made for it; its keys stay in the KMS (repeatable)',
      parameters: [pathParameter('verifierId')],
      responses: {
        '200': {
          description: 'Deleted',
          ...json({
            type: 'object',
            properties: {
              verifierId: { type: 'string' },
              status: { const: 'deleted' },
              deletedAt: { type: 'string', format: 'date-time' },
              cancelledRequests: { type: 'integer' },
            },
          }),
        },
        ...errors(401, 404),
      },
    },
  },
  '/trusted-issuers': {
    get: {
      summary: "The tenant's trusted issuers, page by page",
      parameters: queryParameters(listTrustedIssuersQuery),
      responses: { ...pageResponse('trustedIssuers', { type: 'object' }), ...errors(400, 401) },
    },
  },
  '/presentation-templates': {
    get: {
      summary: "The tenant's presentation templates, page by page",
      parameters: queryParameters(listTemplatesQuery),
      responses: { ...pageResponse('templates', { type: 'object' }), ...errors(400, 401) },
    },
  },
  '/presentation-requests': {
    get: {
      summary: "The tenant's presentation requests, page by page, by status, verifier and created-at range",
      parameters: queryParameters(listPresentationRequestsQuery),
      responses: {
        ...pageResponse('presentationRequests', { $ref: '#/components/schemas/PresentationResult' }),
        ...errors(400, 401),
      },
    },
  },
  '/presentation-requests/{requestId}/cancel': {
    post: {
      summary:
        'Cancel an open request: the wallet can no longer fetch or answer it (409 presentation_request_not_cancellable once decided, expired or cancelled)',
      parameters: [pathParameter('requestId')],
      responses: {
        '200': {
          description: 'Cancelled',
          ...json({
            type: 'object',
            properties: {
              requestId: { type: 'string' },
              status: { const: 'cancelled' },
              cancelledAt: { type: 'string', format: 'date-time' },
            },
          }),
        },
        ...errors(401, 404, 409),
      },
    },
  },
}

/** The verifier's OpenAPI document with the management paths joined into its path items. */
export function withVerifierManagementOpenApi<Document extends { paths: Record<string, unknown> }>(document: Document) {
  return withOpenApiPaths(document, verifierManagementOpenApiPaths)
}
