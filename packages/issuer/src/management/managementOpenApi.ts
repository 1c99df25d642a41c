import {
  openApi,
  pageResponse,
  queryParameters,
  runtimeManagementOpenApiPaths,
  withOpenApiPaths,
} from '@attesto/agent-runtime'
import { listBatchesQuery, listConfigurationsQuery, listIssuersQuery, listOffersQuery } from '../routes/listRoutes.js'

const { json, errors, pathParameter } = openApi
const issuerId = pathParameter('issuerId')

/** The issuer's management paths (lists, deactivation, cancellation), with the shared ones. */
export const issuerManagementOpenApiPaths = {
  ...runtimeManagementOpenApiPaths(),
  '/issuers': {
    get: {
      summary: "The tenant's active issuers, page by page",
      parameters: queryParameters(listIssuersQuery),
      responses: { ...pageResponse('issuers', { $ref: '#/components/schemas/Issuer' }), ...errors(400, 401) },
    },
  },
  '/issuers/{issuerId}': {
    delete: {
      summary:
        'Deactivate an issuer: metadata, token, credential and status-list endpoints answer 404; offers not yet issued are cancelled; its key stays in the KMS and issued credentials keep verifying (repeatable)',
      parameters: [issuerId],
      responses: {
        '200': {
          description: 'Deactivated',
          ...json({
            type: 'object',
            properties: {
              issuerId: { type: 'string' },
              status: { const: 'deactivated' },
              deactivatedAt: { type: 'string', format: 'date-time' },
              cancelledOffers: { type: 'integer' },
            },
          }),
        },
        ...errors(401, 404),
      },
    },
  },
  '/issuers/{issuerId}/credential-configurations': {
    get: {
      summary: "An issuer's credential configurations, page by page (in id order)",
      parameters: [issuerId, ...queryParameters(listConfigurationsQuery)],
      responses: {
        ...pageResponse('credentialConfigurations', { $ref: '#/components/schemas/CredentialConfiguration' }),
        ...errors(400, 401, 404),
      },
    },
  },
  '/issuers/{issuerId}/credential-configurations/{configurationId}': {
    delete: {
      summary: "Remove a configuration from the issuer's metadata; its offers not yet issued are cancelled",
      parameters: [issuerId, pathParameter('configurationId')],
      responses: {
        '200': {
          description: 'Removed',
          ...json({
            type: 'object',
            properties: {
              issuerId: { type: 'string' },
              credentialConfigurationId: { type: 'string' },
              cancelledOffers: { type: 'integer' },
            },
          }),
        },
        ...errors(401, 404),
      },
    },
  },
  '/offers': {
    get: {
      summary: "The tenant's offers, page by page, by status, issuer, configuration and created-at range",
      parameters: queryParameters(listOffersQuery),
      responses: { ...pageResponse('offers', { $ref: '#/components/schemas/OfferStatus' }), ...errors(400, 401) },
    },
  },
  '/offers/{offerId}/cancel': {
    post: {
      summary:
        'Cancel an offer whose code was not redeemed: of a cancellation and a concurrent token request exactly one succeeds (409 offer_not_cancellable otherwise)',
      parameters: [pathParameter('offerId')],
      responses: {
        '200': {
          description: 'Cancelled',
          ...json({
            type: 'object',
            properties: {
              offerId: { type: 'string' },
              status: { const: 'cancelled' },
              cancelledAt: { type: 'string', format: 'date-time' },
            },
          }),
        },
        ...errors(401, 404, 409),
      },
    },
  },
  '/offer-batches': {
    get: {
      summary: "The tenant's bulk-offer batches, page by page",
      parameters: queryParameters(listBatchesQuery),
      responses: { ...pageResponse('offerBatches', { $ref: '#/components/schemas/OfferBatch' }), ...errors(400, 401) },
    },
  },
}

/** The issuer's OpenAPI document with the management paths joined into its path items. */
export function withIssuerManagementOpenApi<Document extends { paths: Record<string, unknown> }>(document: Document) {
  return withOpenApiPaths(document, issuerManagementOpenApiPaths)
}
