import { openApi } from '@attesto/agent-runtime'

const { json, errors, idempotencyKey } = openApi
const batchIdParameter = { name: 'batchId', in: 'path', required: true, schema: { type: 'string' } }
const targetParameters = ['issuerId', 'credentialConfigurationId', 'expiresInSeconds', 'txCodeLength'].map((name) => ({
  name,
  in: 'query',
  required: name === 'issuerId' || name === 'credentialConfigurationId',
  description: 'With a CSV body only (a JSON body carries these fields itself)',
  schema: { type: name.endsWith('Id') ? 'string' : 'integer' },
}))

/** The bulk-offer part of the issuer's OpenAPI document. */
export const batchOpenApiPaths = {
  '/offer-batches': {
    post: {
      summary:
        'Submit up to 100,000 rows of claims (JSON, or CSV with a header row of claim names); answers at once with the batch id, workers make the offers',
      parameters: [idempotencyKey, ...targetParameters],
      requestBody: {
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['issuerId', 'credentialConfigurationId', 'rows'],
              properties: {
                issuerId: { type: 'string' },
                credentialConfigurationId: { type: 'string' },
                expiresInSeconds: { type: 'integer', minimum: 60, default: 604800 },
                txCodeLength: { type: 'integer', minimum: 4, maximum: 8 },
                rows: {
                  type: 'array',
                  items: {
                    type: 'object',
                    additionalProperties: true,
                    description: "claims, and optionally '@key': the row's own idempotency key",
                  },
                },
              },
            },
          },
          'text/csv': { schema: { type: 'string', description: 'header row of claim names, then one row per holder' } },
        },
      },
      responses: {
        '202': { description: 'Accepted', ...json({ $ref: '#/components/schemas/OfferBatch' }) },
        ...errors(400, 401, 404, 413, 422, 503),
      },
    },
  },
  '/offer-batches/{batchId}': {
    get: {
      summary: "A batch's progress (done, failed, pending of total) and its first 100 invalid rows",
      parameters: [batchIdParameter],
      responses: {
        '200': { description: 'OK', ...json({ $ref: '#/components/schemas/OfferBatch' }) },
        ...errors(401, 404),
      },
    },
  },
  '/offer-batches/{batchId}/results': {
    get: {
      summary: 'Every row: its offer (id, URI, tx_code), its error, or pending; JSON or CSV (format=csv or Accept)',
      parameters: [
        batchIdParameter,
        { name: 'format', in: 'query', required: false, schema: { enum: ['json', 'csv'] } },
      ],
      responses: {
        '200': {
          description: 'OK',
          content: {
            'application/json': { schema: { type: 'object', properties: { rows: { type: 'array' } } } },
            'text/csv': { schema: { type: 'string' } },
          },
        },
        ...errors(401, 404),
      },
    },
  },
}

export const batchOpenApiSchemas = {
  OfferBatch: {
    type: 'object',
    properties: {
      batchId: { type: 'string' },
      status: { enum: ['in_progress', 'finished'] },
      total: { type: 'integer' },
      done: { type: 'integer', description: 'offers made' },
      failed: { type: 'integer', description: 'invalid rows, and rows given up after every retry' },
      pending: { type: 'integer' },
      invalidRows: { type: 'integer' },
      invalid: {
        type: 'array',
        items: {
          type: 'object',
          properties: { row: { type: 'integer' }, code: { type: 'string' }, message: { type: 'string' } },
        },
      },
    },
  },
}
