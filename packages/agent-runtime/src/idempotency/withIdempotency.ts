import { createHash } from 'node:crypto'
import { type AgentContext, RecordDuplicateError, RecordNotFoundError } from '@credo-ts/core'
import type { Request } from 'express'
import { HttpError } from '../http/HttpError.js'
import { storageServiceOf } from '../records/storage.js'
import { IdempotencyRecord } from './IdempotencyRecord.js'

export interface IdempotentResult {
  status: number
  body: unknown
}

/** A pending first call older than this is taken to have died (crash, restart) and may be retried. */
const ABANDONED_AFTER_MILLIS = 60_000

/**
 * Runs a create call at most once per `Idempotency-Key` (per tenant and route). The key is
 * reserved in storage before the call runs, so concurrent retries on any instance see it:
 * - the same key with the same request after success returns the first result;
 * - the same key while the first call is still running answers 409 `request_in_progress`;
 * - the same key with a different request answers 422 `idempotency_key_reused`.
 * Without the header the call simply runs.
 */
export async function withIdempotency(
  agentContext: AgentContext,
  request: Request,
  run: () => Promise<IdempotentResult>,
): Promise<IdempotentResult> {
  const key = request.header('idempotency-key')
  if (!key) return run()
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new HttpError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1-255 visible ASCII characters')
  }
  const id = createHash('sha256').update(`${request.method} ${request.baseUrl}${request.path}\n${key}`).digest('hex')
  const requestHash = createHash('sha256')
    .update(JSON.stringify({ query: request.query, body: request.body ?? null }))
    .digest('hex')
  const records = storageServiceOf<IdempotencyRecord>(agentContext)

  let record = new IdempotencyRecord({ id, requestHash })
  try {
    await records.save(agentContext, record)
  } catch (error) {
    if (!(error instanceof RecordDuplicateError)) throw error
    record = await records.getById(agentContext, IdempotencyRecord, id)
    if (record.requestHash !== requestHash) {
      throw new HttpError(422, 'idempotency_key_reused', 'This Idempotency-Key was used with a different request')
    }
    if (record.state === 'done') return { status: record.status ?? 200, body: record.body }
    if (Date.now() - record.createdAt.getTime() < ABANDONED_AFTER_MILLIS) {
      throw new HttpError(
        409,
        'request_in_progress',
        'A request with this Idempotency-Key is still running; retry shortly',
      )
    }
    // The first attempt died mid-flight: this attempt takes over.
  }

  let result: IdempotentResult
  try {
    result = await run()
  } catch (error) {
    // Nothing was created: free the key so the client can retry.
    await records.deleteById(agentContext, IdempotencyRecord, id).catch((cleanup: unknown) => {
      if (!(cleanup instanceof RecordNotFoundError)) throw cleanup
    })
    throw error
  }
  record.state = 'done'
  record.status = result.status
  record.body = result.body
  await records.update(agentContext, record)
  return result
}
