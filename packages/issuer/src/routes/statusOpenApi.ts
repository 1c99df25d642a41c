import { type OpenApiPaths, openApi } from '@attesto/agent-runtime'
import { z } from 'zod'
import { statusChangeBatchResponse, statusChangeResponse } from './responses.js'
import { bulkInput, changeInput, statusValue } from './statusRoutes.js'

const { json, answer, errors } = openApi

/** The credential-status part of the issuer's OpenAPI document (docs/REVOCATION.md). */
export const statusOpenApiPaths: OpenApiPaths = {
  '/offers/{offerId}/status': {
    post: {
      operationId: 'changeCredentialStatus',
      tags: ['Credential status'],
      summary:
        "Set the status of the credential an offer yielded: revoked, suspended, or valid (reinstates a suspended one; a revoked credential stays revoked). Published in the issuer's status list within STATUS_LIST_UPDATE_INTERVAL_SECONDS",
      requestParams: { path: z.object({ offerId: z.string() }) },
      requestBody: { required: true, ...json(changeInput.meta({ examples: [{ status: 'revoked' }] })) },
      responses: {
        '200': answer('The status now (`changed` false when it was already that)', statusChangeResponse),
        ...errors(400, 401, 404),
        '409': {
          ...errors(409)['409'],
          description: '`credential_revoked` (a revoked credential cannot change) or `suspension_not_supported`',
        },
      },
    },
  },
  '/status-change-batches': {
    post: {
      operationId: 'createStatusChangeBatch',
      tags: ['Credential status'],
      summary:
        'Change the status of many credentials at once (JSON `{ status, offerIds }`, or CSV of offer ids, one per line or in an `offerId` column, with `?status=`); a queue worker applies them',
      requestParams: {
        query: z.object({ status: statusValue.optional().meta({ description: 'With a CSV body only' }) }),
      },
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: bulkInput.meta({
              id: 'StatusChangeBatchInput',
              examples: [{ status: 'revoked', offerIds: ['5b0e3a52-6d0b-4f53-9c1a-0e7f7d2a9b41'] }],
            }),
          },
          'text/csv': { schema: { type: 'string' }, example: 'offerId\n5b0e3a52-6d0b-4f53-9c1a-0e7f7d2a9b41\n' },
        },
      },
      responses: { '202': answer('Queued', statusChangeBatchResponse), ...errors(400, 401, 503) },
    },
  },
  '/status-change-batches/{batchId}': {
    get: {
      operationId: 'getStatusChangeBatch',
      tags: ['Credential status'],
      summary: 'A bulk status change: queued, running, finished (with what it did) or failed',
      requestParams: { path: z.object({ batchId: z.string() }) },
      responses: { '200': answer('OK', statusChangeBatchResponse), ...errors(401, 404) },
    },
  },
}
