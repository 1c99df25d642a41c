import { storageServiceOf } from '@attesto/agent-runtime'
import { DomainError } from '@attesto/protocol-kit'
import { type AgentContext, RecordDuplicateError, RecordNotFoundError, utils } from '@credo-ts/core'
import type { BatchConfig } from './batchConfig.js'
import { type BatchRow, OfferBatchChunkRecord, type RowResult } from './OfferBatchChunkRecord.js'
import { type InvalidRow, OfferBatchRecord } from './OfferBatchRecord.js'
import type { OfferBatchQueue } from './offerBatchQueue.js'

export interface NewBatch {
  issuerId: string
  credentialConfigurationId: string
  expiresInSeconds: number
  txCodeLength?: number
  valid: BatchRow[]
  invalid: InvalidRow[]
  /**
   * Chosen by the caller (kept with an `Idempotency-Key`): a repeated submission with the same id
   * finds the batch, or the chunks, stored before instead of storing a second batch.
   */
  batchId?: string
}

/**
 * Stores a batch (its rows in the tenant's partition, in chunks) and queues its first chunks;
 * each finished chunk queues the next. The queue is checked first, so that nothing is stored
 * for a batch that cannot be queued (503). Once stored, the batch is accepted: if Redis goes
 * away before its first chunks are queued, workers queue them when they resume unfinished
 * batches. With a caller-chosen `batchId` the call is repeatable: a batch stored already is
 * answered as it is, chunks stored already are kept.
 */
export async function submitBatch(
  root: AgentContext,
  tenantContext: AgentContext,
  tenantId: string,
  input: NewBatch,
  queue: OfferBatchQueue,
  config: BatchConfig,
): Promise<OfferBatchRecord> {
  await queue.assertAvailable()
  const batchId = input.batchId ?? utils.uuid()
  if (input.batchId) {
    const stored = await getBatch(root, tenantId, batchId).catch((error: unknown) => {
      if (error instanceof DomainError && error.code === 'batch_not_found') return undefined
      throw error
    })
    if (stored) return stored
  }
  const chunkCount = Math.ceil(input.valid.length / config.chunkSize)
  for (let index = 0; index < chunkCount; index++) {
    const rows = input.valid.slice(index * config.chunkSize, (index + 1) * config.chunkSize)
    await storageServiceOf<OfferBatchChunkRecord>(tenantContext)
      .save(tenantContext, new OfferBatchChunkRecord({ batchId, index, rows }))
      .catch((error: unknown) => {
        // Stored by an earlier attempt of the same submission: the same rows.
        if (!(input.batchId && error instanceof RecordDuplicateError)) throw error
      })
  }
  const batch = new OfferBatchRecord({
    id: batchId,
    tenantId,
    issuerId: input.issuerId,
    credentialConfigurationId: input.credentialConfigurationId,
    expiresInSeconds: input.expiresInSeconds,
    txCodeLength: input.txCodeLength,
    total: input.valid.length + input.invalid.length,
    chunkCount,
    invalidRows: input.invalid,
  })
  if (chunkCount === 0) {
    batch.state = 'finished'
    batch.finishedAt = new Date().toISOString()
  }
  await storageServiceOf<OfferBatchRecord>(root).save(root, batch)
  try {
    for (let index = 0; index < Math.min(chunkCount, config.chunksInFlight); index++) {
      await queue.add({ tenantId, batchId, index })
    }
  } catch (error) {
    root.config.logger.warn('Batch stored but not queued yet; workers will queue it', { batchId, error })
  }
  return batch
}

/** The batch, if it belongs to the tenant; 404 `batch_not_found` otherwise. */
export async function getBatch(root: AgentContext, tenantId: string, batchId: string): Promise<OfferBatchRecord> {
  const notFound = new DomainError('batch_not_found', `No batch '${batchId}' in this tenant`)
  const batch = await storageServiceOf<OfferBatchRecord>(root)
    .getById(root, OfferBatchRecord, batchId)
    .catch((error: unknown) => {
      throw error instanceof RecordNotFoundError ? notFound : error
    })
  if (batch.tenantId !== tenantId) throw notFound
  return batch
}

export function batchSummary(batch: OfferBatchRecord) {
  return {
    batchId: batch.id,
    status: batch.state === 'finished' ? 'finished' : 'in_progress',
    total: batch.total,
    done: batch.done,
    failed: batch.failed,
    pending: batch.total - batch.done - batch.failed,
    invalidRows: batch.invalidRows.length,
    createdAt: batch.createdAt.toISOString(),
    ...(batch.finishedAt ? { finishedAt: batch.finishedAt } : {}),
  }
}

/** A row of the batch as the API reports it. */
export interface BatchResultRow {
  row: number
  status: 'offered' | 'failed' | 'invalid' | 'pending'
  offerId?: string
  uri?: string
  txCode?: string
  expiresAt?: string
  /** The row whose key this row repeats: the offer is that row's. */
  duplicateOf?: { batchId: string; row: number }
  error?: { code: string; message: string }
}

function reported(row: number, result: RowResult | null): BatchResultRow {
  if (!result) return { row, status: 'pending' }
  if ('error' in result) return { row, status: 'failed', error: result.error }
  return { ...result, status: 'offered' }
}

/** Every row of the batch in row order: its offer, its error, or pending. */
export async function batchResults(tenantContext: AgentContext, batch: OfferBatchRecord): Promise<BatchResultRow[]> {
  const chunks = await storageServiceOf<OfferBatchChunkRecord>(tenantContext).findByQuery(
    tenantContext,
    OfferBatchChunkRecord,
    { batchId: batch.id },
  )
  const rows: BatchResultRow[] = batch.invalidRows.map(({ row, code, message }) => ({
    row,
    status: 'invalid',
    error: { code, message },
  }))
  for (const chunk of chunks) {
    chunk.rows.forEach(({ row }, position) => {
      rows.push(reported(row, chunk.results[position] ?? null))
    })
  }
  return rows.sort((a, b) => a.row - b.row)
}

/** The results as CSV: row, status, offer_id, uri, tx_code, expires_at, error. */
export function resultsCsv(rows: BatchResultRow[]): string {
  const field = (value: unknown) => {
    const text = value === undefined || value === null ? '' : String(value)
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
  }
  const lines = ['row,status,offer_id,uri,tx_code,expires_at,error']
  for (const result of rows) {
    const error = result.error ? `${result.error.code}: ${result.error.message}` : undefined
    lines.push(
      [result.row, result.status, result.offerId, result.uri, result.txCode, result.expiresAt, error]
        .map(field)
        .join(','),
    )
  }
  return `${lines.join('\n')}\n`
}
