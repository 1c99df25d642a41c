import { openApi } from '@attesto/agent-runtime'

const { json, errors } = openApi
const offerIdParameter = { name: 'offerId', in: 'path', required: true, schema: { type: 'string' } }
const statusValue = { enum: ['valid', 'revoked', 'suspended'] }

/** The credential-status part of the issuer's OpenAPI document (docs/REVOCATION.md). */
export const statusOpenApiPaths = {
  '/offers/{offerId}/status': {
    post: {
      summary:
        "Set the status of the credential an offer yielded: revoked, suspended, or valid (reinstates a suspended one; a revoked credential stays revoked). Published in the issuer's status list within STATUS_LIST_UPDATE_INTERVAL_SECONDS",
      parameters: [offerIdParameter],
      requestBody: {
        content: {
          'application/json': { schema: { type: 'object', required: ['status'], properties: { status: statusValue } } },
        },
      },
      responses: {
        '200': {
          description: 'The status now (`changed` false when it was already that)',
          ...json({
            type: 'object',
            properties: {
              offerId: { type: 'string' },
              status: statusValue,
              changed: { type: 'boolean' },
              changedAt: { type: 'string', format: 'date-time' },
            },
          }),
        },
        '409': {
          description: '`credential_revoked` (a revoked credential cannot change) or `suspension_not_supported`',
        },
        ...errors(400, 401, 404),
      },
    },
  },
  '/status-change-batches': {
    post: {
      summary:
        'Change the status of many credentials at once (JSON `{ status, offerIds }`, or CSV of offer ids, one per line or in an `offerId` column, with `?status=`); a queue worker applies them',
      parameters: [{ name: 'status', in: 'query', description: 'With a CSV body only', schema: statusValue }],
      requestBody: {
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['status', 'offerIds'],
              properties: {
                status: statusValue,
                offerIds: { type: 'array', minItems: 1, maxItems: 100000, items: { type: 'string' } },
              },
            },
          },
          'text/csv': { schema: { type: 'string' } },
        },
      },
      responses: {
        '202': { description: 'Queued', ...json({ $ref: '#/components/schemas/StatusChangeBatch' }) },
        ...errors(400, 401, 503),
      },
    },
  },
  '/status-change-batches/{batchId}': {
    get: {
      summary: 'A bulk status change: queued, running, finished (with what it did) or failed',
      parameters: [{ name: 'batchId', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        '200': { description: 'OK', ...json({ $ref: '#/components/schemas/StatusChangeBatch' }) },
        ...errors(401, 404),
      },
    },
  },
}

export const statusOpenApiSchemas = {
  StatusChangeBatch: {
    type: 'object',
    properties: {
      batchId: { type: 'string' },
      status: statusValue,
      count: { type: 'integer' },
      state: { enum: ['queued', 'running', 'finished', 'failed'] },
      processed: { type: 'integer' },
      result: {
        type: 'object',
        properties: {
          changed: { type: 'integer' },
          unchanged: { type: 'integer' },
          refused: { type: 'array', items: { type: 'string' } },
          notFound: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
  CredentialStatus: {
    type: 'object',
    description: "The issued credential's status list entry (revocable configurations only)",
    properties: {
      status: statusValue,
      statusList: { type: 'object', properties: { listId: { type: 'string' }, idx: { type: 'integer' } } },
      changedAt: { type: 'string', format: 'date-time' },
    },
  },
}
