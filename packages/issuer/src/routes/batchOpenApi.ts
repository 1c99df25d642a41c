import { type OpenApiPaths, openApi } from '@attesto/agent-runtime'
import { z } from 'zod'
import { batchTarget, jsonRows, ROW_KEY } from '../batches/batchInput.js'
import { resultsQuery } from './batchRoutes.js'
import { offerBatchResponse, offerBatchResultsResponse } from './responses.js'

const { answer, errors, idempotencyKey } = openApi
const batchPath = z.object({ batchId: z.string() })

/** The bulk-offer part of the issuer's OpenAPI document. */
export const batchOpenApiPaths: OpenApiPaths = {
  '/offer-batches': {
    post: {
      operationId: 'createOfferBatch',
      tags: ['Offer batches'],
      summary:
        'Submit up to 100,000 rows of claims (JSON, or CSV with a header row of claim names); answers at once with the batch id, workers make the offers',
      description: `A row may carry its own idempotency key in '${ROW_KEY}' (a JSON property or a CSV column). With a CSV body, issuerId, credentialConfigurationId, expiresInSeconds and txCodeLength are query parameters.`,
      parameters: [idempotencyKey],
      requestParams: { query: batchTarget.partial().meta({ description: 'With a CSV body only' }) },
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: batchTarget.extend(jsonRows.shape).meta({
              id: 'OfferBatchInput',
              examples: [
                {
                  issuerId: '5b0e3a52-6d0b-4f53-9c1a-0e7f7d2a9b41',
                  credentialConfigurationId: 'diploma',
                  rows: [
                    { given_name: 'Ada', degree: 'MSc', [ROW_KEY]: 'student-1001' },
                    { given_name: 'Grace', degree: 'PhD', [ROW_KEY]: 'student-1002' },
                  ],
                },
              ],
            }),
          },
          'text/csv': {
            schema: { type: 'string', description: 'A header row of claim names, then one row per holder' },
            example: 'given_name,degree,@key\nAda,MSc,student-1001\nGrace,PhD,student-1002\n',
          },
        },
      },
      responses: { '202': answer('Accepted', offerBatchResponse), ...errors(400, 401, 404, 413, 415, 422, 503) },
    },
  },
  '/offer-batches/{batchId}': {
    get: {
      operationId: 'getOfferBatch',
      tags: ['Offer batches'],
      summary: "A batch's progress (done, failed, pending of total) and its first 100 invalid rows",
      requestParams: { path: batchPath },
      responses: { '200': answer('OK', offerBatchResponse), ...errors(401, 404) },
    },
  },
  '/offer-batches/{batchId}/results': {
    get: {
      operationId: 'getOfferBatchResults',
      tags: ['Offer batches'],
      summary: 'Every row: its offer (id, URI, tx_code), its error, or pending; JSON or CSV (format=csv or Accept)',
      requestParams: { path: batchPath, query: resultsQuery },
      responses: {
        '200': {
          description: 'OK',
          content: {
            'application/json': { schema: offerBatchResultsResponse },
            'text/csv': {
              schema: { type: 'string', description: 'row,status,offer_id,uri,tx_code,expires_at,error' },
            },
          },
        },
        ...errors(400, 401, 404),
      },
    },
  },
}
