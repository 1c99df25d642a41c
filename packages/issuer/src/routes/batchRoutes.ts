import { randomUUID } from 'node:crypto'
import {
  type BoundRoute,
  feature,
  openApi,
  operation,
  queueUnavailable,
  type TenantRequestLocals,
  withIdempotency,
} from '@attesto/agent-runtime'
import { DomainError } from '@attesto/protocol-kit'
import type { AgentContext } from '@credo-ts/core'
import type { RequestHandler } from 'express'
import { z } from 'zod'
import type { BatchConfig } from '../batches/batchConfig.js'
import {
  batchTarget,
  checkRows,
  jsonBatchInput,
  ROW_KEY,
  rowsFromCsvStream,
  rowsFromJson,
} from '../batches/batchInput.js'
import { batchResults, batchSummary, getBatch, resultsCsv, submitBatch } from '../batches/offerBatches.js'
import type { OfferBatchQueue } from '../batches/offerBatchQueue.js'
import { offerTarget } from '../issuance/createOffer.js'
import { offerBatchResponse, offerBatchResultsResponse } from './batchResponses.js'

const { answer, errors, idempotencyKey } = openApi
const TAGS = ['Offer batches']
const batchPath = z.object({ batchId: z.string() })

const resultsQuery = z.object({ format: z.enum(['json', 'csv']).optional() })

export const createOfferBatch = operation({
  method: 'post',
  path: '/offer-batches',
  operationId: 'createOfferBatch',
  tags: TAGS,
  summary:
    'Submit up to 100,000 rows of claims (JSON, or CSV with a header row of claim names); answers at once with the batch id, workers make the offers',
  description: `A row may carry its own idempotency key in '${ROW_KEY}' (a JSON property or a CSV column). With a CSV body, issuerId, credentialConfigurationId, expiresInSeconds and txCodeLength are query parameters.`,
  parameters: [idempotencyKey],
  query: batchTarget.partial().meta({ description: 'With a CSV body only' }),
  body: {
    required: true,
    schema: jsonBatchInput.meta({
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
    otherMediaTypes: {
      'text/csv': {
        schema: { type: 'string', description: 'A header row of claim names, then one row per holder' },
        example: 'given_name,degree,@key\nAda,MSc,student-1001\nGrace,PhD,student-1002\n',
      },
    },
  },
  responses: { '202': answer('Accepted', offerBatchResponse), ...errors(400, 401, 404, 413, 415, 422, 503) },
  edge: { bodyTypes: ['json', 'csv'], largeBody: true },
})

export const getOfferBatch = operation({
  method: 'get',
  path: '/offer-batches/{batchId}',
  operationId: 'getOfferBatch',
  tags: TAGS,
  summary: "A batch's progress (done, failed, pending of total) and its first 100 invalid rows",
  params: batchPath,
  responses: { '200': answer('OK', offerBatchResponse), ...errors(401, 404) },
})

export const getOfferBatchResults = operation({
  method: 'get',
  path: '/offer-batches/{batchId}/results',
  operationId: 'getOfferBatchResults',
  tags: TAGS,
  summary: 'Every row: its offer (id, URI, tx_code), its error, or pending; JSON or CSV (format=csv or Accept)',
  params: batchPath,
  query: resultsQuery,
  responses: {
    '200': {
      description: 'OK',
      content: {
        'application/json': { schema: offerBatchResultsResponse },
        'text/csv': { schema: { type: 'string', description: 'row,status,offer_id,uri,tx_code,expires_at,error' } },
      },
    },
    ...errors(400, 401, 404),
  },
})

/** Offers in bulk. */
export const BATCH_OPERATIONS = [createOfferBatch, getOfferBatch, getOfferBatchResults]

/**
 * Bulk offers. `POST /offer-batches` (JSON `{ issuerId, credentialConfigurationId, rows }`, or
 * CSV with a header row of claim names and the rest as query parameters; honours
 * `Idempotency-Key`) answers 202 with the batch id at once; workers make the offers.
 * `GET /offer-batches/:batchId` reports progress; `GET /offer-batches/:batchId/results`
 * every row's offer URI or error, as JSON or CSV.
 */
export function batchRoutes(root: AgentContext, queue: OfferBatchQueue | undefined, config: BatchConfig): BoundRoute[] {
  const create = createOfferBatch.handle(submission(root, queue, config), { maxBodyBytes: config.maxBytes })

  const get = getOfferBatch.handle(async (request, response) => {
    const { tenant } = response.locals as TenantRequestLocals
    const batch = await getBatch(root, tenant.id, getOfferBatch.params(request).batchId)
    response.json({ ...batchSummary(batch), invalid: batch.invalidRows.slice(0, 100) })
  })

  const results = getOfferBatchResults.handle(async (request, response) => {
    const { tenant, tenantContext } = response.locals as TenantRequestLocals
    const batch = await getBatch(root, tenant.id, getOfferBatchResults.params(request).batchId)
    const rows = await batchResults(tenantContext, batch)
    const { format } = getOfferBatchResults.query(request)
    if (format === 'csv' || (!format && request.accepts(['json', 'csv']) === 'csv')) {
      response.type('text/csv').attachment(`offers-${batch.id}.csv`).send(resultsCsv(rows))
      return
    }
    response.json({ ...batchSummary(batch), rows })
  })

  return [create, get, results]
}

/** `POST /offer-batches`: the batch checked, stored and queued (202), or why not. */
function submission(root: AgentContext, queue: OfferBatchQueue | undefined, config: BatchConfig): RequestHandler {
  return async (request, response) => {
    const { tenantContext, tenant } = response.locals as TenantRequestLocals
    if (!queue) {
      throw queueUnavailable('Bulk offers need the issuance queue: configure REDIS_URL or REDIS_CLUSTER_NODES')
    }
    const isCsv = request.is('text/csv') === 'text/csv'
    const target = isCsv ? batchTarget.parse(request.query) : createOfferBatch.body(request)
    const rows = isCsv
      ? await rowsFromCsvStream(request, config.maxRows, config.maxBytes)
      : rowsFromJson(request.body, config.maxRows)
    const { profile, configuration } = await offerTarget(
      tenantContext,
      target.issuerId,
      target.credentialConfigurationId,
    )
    if (isCsv && configuration.format === 'mso_mdoc') {
      throw new DomainError(
        'csv_not_supported',
        'CSV rows are flat, the claims of an mso_mdoc configuration are grouped by namespace: send the batch as JSON',
      )
    }
    const { valid, invalid } = checkRows(configuration, rows)
    // The batch id is chosen when the key is reserved: a retry that takes the key over finds the
    // batch (or the chunks) stored before instead of storing a second batch.
    const result = await withIdempotency(
      tenantContext,
      request,
      async (batchId) => {
        const batch = await submitBatch(
          root,
          tenantContext,
          tenant.id,
          { ...target, issuerId: profile.issuerId, valid, invalid, batchId },
          queue,
          config,
        )
        return { status: 202, body: { ...batchSummary(batch), invalid: batch.invalidRows.slice(0, 100) } }
      },
      { prepare: () => randomUUID() },
    )
    response.status(result.status).json(result.body)
  }
}

/** Offers in bulk, made by queue workers; its large bodies (JSON or CSV) up to BATCH_MAX_BYTES. */
export const offerBatchesFeature = feature<{
  root: AgentContext
  offerBatches: OfferBatchQueue | undefined
  batchConfig: BatchConfig
}>({
  name: 'offer batches',
  tags: [['Offer batches', 'Offers in bulk, made by queue workers']],
  operations: BATCH_OPERATIONS,
  routes: ({ root, offerBatches, batchConfig }) => batchRoutes(root, offerBatches, batchConfig),
})
