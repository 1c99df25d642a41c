import { parseEnvironment } from '@attesto/agent-runtime'
import { z } from 'zod'

const positive = (fallback: number) => z.coerce.number().int().positive().default(fallback)

const schema = z.object({
  QUEUE_CONCURRENCY: positive(4),
  QUEUE_ATTEMPTS: positive(5),
  QUEUE_BACKOFF_MILLIS: positive(1_000),
  QUEUE_LOCK_DURATION_MILLIS: positive(30_000),
  QUEUE_STALLED_INTERVAL_MILLIS: positive(30_000),
  BATCH_MAX_ROWS: positive(100_000),
  BATCH_MAX_BYTES: positive(64 * 1024 * 1024),
  BATCH_UPLOADS_IN_FLIGHT: positive(2),
  BATCH_UPLOADS_IN_FLIGHT_PER_TENANT: positive(1),
  BATCH_CHUNK_SIZE: positive(100),
  BATCH_CHUNKS_IN_FLIGHT: positive(4),
  TENANT_OFFERS_PER_SECOND: z.coerce.number().int().min(0).default(1_000),
  DEFERRED_INTERVAL_SECONDS: positive(30),
})

/** Names of the variables the queue configuration reads (deployment manifests are checked against them). */
export const BATCH_ENVIRONMENT_VARIABLES: readonly string[] = Object.keys(schema.shape)

/**
 * How bulk offers are queued and worked; every value has a default (docs/QUEUES.md). The queues'
 * key prefix is the runtime's `QUEUE_PREFIX`.
 */
export interface BatchConfig {
  /** Chunk jobs one worker process runs at once. */
  concurrency: number
  /** Tries of a chunk job before its remaining rows are reported failed. */
  attempts: number
  /** First retry delay; doubles with each retry, with jitter. */
  backoffMillis: number
  /** How long a worker's hold on a job lasts without renewal (a killed worker's jobs return after it). */
  lockDurationMillis: number
  /** How often workers look for jobs whose worker died. */
  stalledIntervalMillis: number
  maxRows: number
  /** Largest batch body (JSON or CSV), in bytes. */
  maxBytes: number
  /** Batch bodies one instance reads at once (the rest get 429 before their body is read). */
  uploadsInFlight: number
  /** Batch bodies one tenant sends one instance at once. */
  uploadsInFlightPerTenant: number
  /** Rows per job. */
  chunkSize: number
  /** Jobs of one batch queued at once: the rest wait their turn, so one huge batch cannot starve the others. */
  chunksInFlight: number
  /** Offers per second per tenant over all workers (0: no limit). */
  tenantOffersPerSecond: number
  /** Seconds a wallet is asked to wait between requests for a deferred credential. */
  deferredIntervalSeconds: number
}

export function loadBatchConfig(env: Record<string, string | undefined> = process.env): BatchConfig {
  const e = parseEnvironment(schema, env)
  return {
    concurrency: e.QUEUE_CONCURRENCY,
    attempts: e.QUEUE_ATTEMPTS,
    backoffMillis: e.QUEUE_BACKOFF_MILLIS,
    lockDurationMillis: e.QUEUE_LOCK_DURATION_MILLIS,
    stalledIntervalMillis: e.QUEUE_STALLED_INTERVAL_MILLIS,
    maxRows: e.BATCH_MAX_ROWS,
    maxBytes: e.BATCH_MAX_BYTES,
    uploadsInFlight: e.BATCH_UPLOADS_IN_FLIGHT,
    uploadsInFlightPerTenant: e.BATCH_UPLOADS_IN_FLIGHT_PER_TENANT,
    chunkSize: e.BATCH_CHUNK_SIZE,
    chunksInFlight: e.BATCH_CHUNKS_IN_FLIGHT,
    tenantOffersPerSecond: e.TENANT_OFFERS_PER_SECOND,
    deferredIntervalSeconds: e.DEFERRED_INTERVAL_SECONDS,
  }
}
