import { createHash } from 'node:crypto'
import { DomainError } from '@attesto/protocol-kit'
import { type AgentContext, RecordDuplicateError } from '@credo-ts/core'
import type { Request } from 'express'
import { storageServiceOf } from '../records/storage.js'
import { IdempotencyRecord } from './IdempotencyRecord.js'

export interface IdempotentResult {
  status: number
  body: unknown
}

/** A pending first call older than this is taken to have died (crash, restart) and may be taken over. */
export const DEFAULT_TAKEOVER_AFTER_MILLIS = 60_000

/** Where an app keeps its take-over delay (`IDEMPOTENCY_TAKEOVER_SECONDS`). */
export const TAKEOVER_AFTER_MILLIS_LOCAL = 'idempotencyTakeoverAfterMillis'

export interface WithIdempotencyOptions<Prepared> {
  /**
   * Chooses, before the work runs, what makes the work repeatable (for an offer, its
   * pre-authorised code): kept with the key's reservation, and handed again to a call that takes
   * the key over after a failure or a crash, so that the work finds what it made before instead of
   * making it twice.
   */
  prepare?: () => Prepared
}

/**
 * Runs a create call at most once per `Idempotency-Key` (per tenant and route). The key is
 * reserved in storage before the call runs, so concurrent retries on any instance see it:
 * - the same key with the same request after success returns the first result;
 * - the same key while the first call is still running answers 409 `request_in_progress`;
 * - the same key with a different request answers 422 `idempotency_key_reused`;
 * - after the first call failed (or its instance died, once the take-over delay has passed), a
 *   retry runs the call again with the same prepared value.
 * The resource and the key's result are two writes: a failure between them is covered by the
 * prepared value (the call finds its resource) rather than by a transaction.
 * Without the header the call simply runs.
 */
export async function withIdempotency<Prepared = undefined>(
  agentContext: AgentContext,
  request: Request,
  run: (prepared: Prepared | undefined) => Promise<IdempotentResult>,
  options: WithIdempotencyOptions<Prepared> = {},
): Promise<IdempotentResult> {
  const key = request.header('idempotency-key')
  if (!key) return run(options.prepare?.())
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new DomainError('invalid_idempotency_key', 'Idempotency-Key must be 1-255 visible ASCII characters')
  }
  const takeoverAfterMillis =
    (request.app?.locals?.[TAKEOVER_AFTER_MILLIS_LOCAL] as number | undefined) ?? DEFAULT_TAKEOVER_AFTER_MILLIS
  const id = createHash('sha256').update(`${request.method} ${request.baseUrl}${request.path}\n${key}`).digest('hex')
  const requestHash = createHash('sha256')
    .update(JSON.stringify({ query: request.query, body: request.body ?? null }))
    .digest('hex')
  const records = storageServiceOf<IdempotencyRecord>(agentContext)

  let record = new IdempotencyRecord({ id, requestHash, prepared: options.prepare?.() })
  try {
    await records.save(agentContext, record)
  } catch (error) {
    if (!(error instanceof RecordDuplicateError)) throw error
    record = await records.getById(agentContext, IdempotencyRecord, id)
    if (record.state === 'failed' && record.requestHash !== requestHash) {
      // The failed first call is abandoned for a different request: the key starts afresh.
      record.requestHash = requestHash
      record.prepared = options.prepare?.()
    } else if (record.requestHash !== requestHash) {
      throw new DomainError('idempotency_key_reused', 'This Idempotency-Key was used with a different request')
    }
    if (record.state === 'done') return { status: record.status ?? 200, body: record.body }
    if (record.state === 'pending' && Date.now() - record.updatedOrCreated() < takeoverAfterMillis) {
      throw new DomainError(
        'request_in_progress',
        'A request with this Idempotency-Key is still running; retry shortly',
      )
    }
    // The first attempt failed or died mid-flight: this attempt takes over, with its prepared value.
    record.state = 'pending'
    record.updatedAt = new Date()
    await records.update(agentContext, record)
  }

  let result: IdempotentResult
  try {
    result = await run(record.prepared as Prepared | undefined)
  } catch (error) {
    // The call may have made its resource before failing: keep the prepared value for the retry.
    record.state = 'failed'
    await records.update(agentContext, record).catch(() => {}) // left pending, it is taken over later
    throw error
  }
  record.state = 'done'
  record.status = result.status
  record.body = result.body
  await records.update(agentContext, record)
  return result
}
