import { pageAnswer } from '@attesto/agent-runtime'
import { z } from 'zod'
import { offerBatchResponse } from './batchResponses.js'
import { credentialConfigurationResponse, issuerResponse, offerStatusResponse } from './responses.js'

/**
 * What the issuer's management routes answer (lists page by page, deactivation, removal,
 * cancellation), as zod schemas: the OpenAPI document is generated from them.
 */

const dateTime = z.iso.datetime({ offset: true })
const uuid = '5b0e3a52-6d0b-4f53-9c1a-0e7f7d2a9b41'

export const issuerPageResponse = pageAnswer('issuers', issuerResponse, 'IssuerPage', {
  issuerId: uuid,
  did: 'did:jwk:eyJrdHkiOiJFQyIsImNydiI6IlAtMjU2Iiwi…',
  credentialIssuer: `https://issuer.example/oid4vci/${uuid}`,
  credentialConfigurations: [],
  batchSize: 1,
  dpop: 'optional',
  clientAttestation: 'optional',
})

export const credentialConfigurationPageResponse = pageAnswer(
  'credentialConfigurations',
  credentialConfigurationResponse,
  'CredentialConfigurationPage',
  {
    id: 'diploma',
    vct: 'https://university.example/credentials/diploma',
    claims: [{ name: 'given_name', type: 'string', required: true, selectivelyDisclosable: true }],
  },
)

export const offerPageResponse = pageAnswer(
  'offers',
  offerStatusResponse
    .omit({ credentialStatus: true })
    .extend({ cancelledAt: dateTime.optional() })
    .meta({ id: 'OfferSummary' }),
  'OfferPage',
  {
    offerId: uuid,
    issuerId: uuid,
    credentialConfigurationIds: ['diploma'],
    status: 'offered',
    createdAt: '2026-06-30T12:00:00.000Z',
    expiresAt: '2026-07-07T12:00:00.000Z',
  },
)

export const offerBatchPageResponse = pageAnswer(
  'offerBatches',
  offerBatchResponse.omit({ invalid: true }).meta({
    id: 'OfferBatchSummary',
    description: 'A batch as listed: its invalid rows are in GET /offer-batches/{batchId}',
  }),
  'OfferBatchPage',
  {
    batchId: uuid,
    status: 'finished',
    total: 2,
    done: 2,
    failed: 0,
    pending: 0,
    invalidRows: 0,
    createdAt: '2026-06-30T12:00:00.000Z',
    finishedAt: '2026-06-30T12:00:03.000Z',
  },
)

export const deactivatedIssuerResponse = z
  .object({
    issuerId: z.string(),
    status: z.literal('deactivated'),
    deactivatedAt: dateTime,
    cancelledOffers: z.number().int().min(0).meta({ description: 'Offers not yet issued, cancelled now' }),
  })
  .meta({
    id: 'DeactivatedIssuer',
    examples: [
      { issuerId: uuid, status: 'deactivated', deactivatedAt: '2026-07-01T09:00:00.000Z', cancelledOffers: 2 },
    ],
  })

export const removedConfigurationResponse = z
  .object({
    issuerId: z.string(),
    credentialConfigurationId: z.string(),
    cancelledOffers: z.number().int().min(0).meta({ description: 'Its offers not yet issued, cancelled now' }),
  })
  .meta({
    id: 'RemovedCredentialConfiguration',
    examples: [{ issuerId: uuid, credentialConfigurationId: 'diploma', cancelledOffers: 0 }],
  })

export const cancelledOfferResponse = z
  .object({ offerId: z.string(), status: z.literal('cancelled'), cancelledAt: dateTime })
  .meta({
    id: 'CancelledOffer',
    examples: [{ offerId: uuid, status: 'cancelled', cancelledAt: '2026-07-01T09:00:00.000Z' }],
  })
