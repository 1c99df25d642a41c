import { randomUUID } from 'node:crypto'
import { HttpError, queueUnavailable, type TenantRequestLocals, withIdempotency } from '@attesto/agent-runtime'
import type { AgentContext } from '@credo-ts/core'
import { Router } from 'express'
import { z } from 'zod'
import type { BatchConfig } from '../batches/batchConfig.js'
import { batchTarget, checkRows, jsonBatchInput, rowsFromCsvStream, rowsFromJson } from '../batches/batchInput.js'
import { batchResults, batchSummary, getBatch, resultsCsv, submitBatch } from '../batches/offerBatches.js'
import type { OfferBatchQueue } from '../batches/offerBatchQueue.js'
import { offerTarget } from '../issuance/createOffer.js'

export const resultsQuery = z.object({ format: z.enum(['json', 'csv']).optional() })

/**
 * Bulk offers. `POST /offer-batches` (JSON `{ issuerId, credentialConfigurationId, rows }`, or
 * CSV with a header row of claim names and the rest as query parameters; honours
 * `Idempotency-Key`) answers 202 with the batch id at once; workers make the offers.
 * `GET /offer-batches/:batchId` reports progress; `GET /offer-batches/:batchId/results`
 * every row's offer URI or error, as JSON or CSV.
 */
export function batchRoutes(root: AgentContext, queue: OfferBatchQueue | undefined, config: BatchConfig): Router {
  const router = Router()

  router.post('/offer-batches', async (request, response) => {
    const { tenantContext, tenant } = response.locals as TenantRequestLocals
    if (!queue) {
      throw queueUnavailable('Bulk offers need the issuance queue: configure REDIS_URL or REDIS_CLUSTER_NODES')
    }
    const isCsv = request.is('text/csv') === 'text/csv'
    const target = isCsv ? batchTarget.parse(request.query) : jsonBatchInput.parse(request.body)
    const rows = isCsv
      ? await rowsFromCsvStream(request, config.maxRows, config.maxBytes)
      : rowsFromJson(request.body, config.maxRows)
    const { profile, configuration } = await offerTarget(
      tenantContext,
      target.issuerId,
      target.credentialConfigurationId,
    )
    if (isCsv && configuration.format === 'mso_mdoc') {
      throw new HttpError(
        400,
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
  })

  router.get('/offer-batches/:batchId', async (request, response) => {
    const { tenant } = response.locals as TenantRequestLocals
    const batch = await getBatch(root, tenant.id, request.params.batchId as string)
    response.json({ ...batchSummary(batch), invalid: batch.invalidRows.slice(0, 100) })
  })

  router.get('/offer-batches/:batchId/results', async (request, response) => {
    const { tenant, tenantContext } = response.locals as TenantRequestLocals
    const batch = await getBatch(root, tenant.id, request.params.batchId as string)
    const rows = await batchResults(tenantContext, batch)
    const { format } = resultsQuery.parse(request.query)
    if (format === 'csv' || (!format && request.accepts(['json', 'csv']) === 'csv')) {
      response.type('text/csv').attachment(`offers-${batch.id}.csv`).send(resultsCsv(rows))
      return
    }
    response.json({ ...batchSummary(batch), rows })
  })

  return router
}
