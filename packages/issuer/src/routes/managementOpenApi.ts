import { type OpenApiPaths, openApi } from '@attesto/agent-runtime'
import { z } from 'zod'
import { listBatchesQuery, listConfigurationsQuery, listIssuersQuery, listOffersQuery } from './listRoutes.js'
import {
  cancelledOfferResponse,
  credentialConfigurationPageResponse,
  deactivatedIssuerResponse,
  issuerPageResponse,
  offerBatchPageResponse,
  offerPageResponse,
  removedConfigurationResponse,
} from './managementResponses.js'

const { answer, errors } = openApi
const issuerPath = z.object({ issuerId: z.string() })

/**
 * The issuer's management operations (lists page by page, deactivation, removal, cancellation),
 * joined into the issuer's document beside the operations of the same paths.
 */
export const issuerManagementOpenApiPaths: OpenApiPaths = {
  '/issuers': {
    get: {
      operationId: 'listIssuers',
      tags: ['Issuers'],
      summary: "The tenant's active issuers, page by page",
      requestParams: { query: listIssuersQuery },
      responses: { '200': answer('OK', issuerPageResponse), ...errors(400, 401) },
    },
  },
  '/issuers/{issuerId}': {
    delete: {
      operationId: 'deactivateIssuer',
      tags: ['Issuers'],
      summary: 'Deactivate an issuer; its offers not yet issued are cancelled (repeatable)',
      description:
        'Its metadata, token, credential and status-list endpoints answer 404 from then on. Its key stays in the KMS and its DID is not touched, so credentials it issued keep verifying.',
      requestParams: { path: issuerPath },
      responses: { '200': answer('Deactivated', deactivatedIssuerResponse), ...errors(401, 404) },
    },
  },
  '/issuers/{issuerId}/credential-configurations': {
    get: {
      operationId: 'listCredentialConfigurations',
      tags: ['Credential configurations'],
      summary: "An issuer's credential configurations, page by page (in id order)",
      requestParams: { path: issuerPath, query: listConfigurationsQuery },
      responses: { '200': answer('OK', credentialConfigurationPageResponse), ...errors(400, 401, 404) },
    },
  },
  '/issuers/{issuerId}/credential-configurations/{configurationId}': {
    delete: {
      operationId: 'deleteCredentialConfiguration',
      tags: ['Credential configurations'],
      summary: "Remove a configuration from the issuer's metadata; its offers not yet issued are cancelled",
      requestParams: { path: z.object({ issuerId: z.string(), configurationId: z.string() }) },
      responses: { '200': answer('Removed', removedConfigurationResponse), ...errors(401, 404) },
    },
  },
  '/offers': {
    get: {
      operationId: 'listOffers',
      tags: ['Offers'],
      summary: "The tenant's offers, page by page, by status, issuer, configuration and created-at range",
      requestParams: { query: listOffersQuery },
      responses: { '200': answer('OK', offerPageResponse), ...errors(400, 401) },
    },
  },
  '/offers/{offerId}/cancel': {
    post: {
      operationId: 'cancelOffer',
      tags: ['Offers'],
      summary: 'Cancel an offer whose code was not redeemed',
      description:
        'Of a cancellation and a concurrent token request exactly one succeeds; 409 offer_not_cancellable (with the offer status) otherwise.',
      requestParams: { path: z.object({ offerId: z.string() }) },
      responses: { '200': answer('Cancelled', cancelledOfferResponse), ...errors(401, 404, 409) },
    },
  },
  '/offer-batches': {
    get: {
      operationId: 'listOfferBatches',
      tags: ['Offer batches'],
      summary: "The tenant's bulk-offer batches, page by page",
      requestParams: { query: listBatchesQuery },
      responses: { '200': answer('OK', offerBatchPageResponse), ...errors(400, 401) },
    },
  },
}
