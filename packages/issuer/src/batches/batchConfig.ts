import { configSection, type Environment, readSection, variable } from '@attesto/agent-runtime'
import { z } from 'zod'

const positive = (fallback: number) => z.coerce.number().int().positive().default(fallback)

/** The issuer's queues and bulk offers (docs/QUEUES.md). */
const BATCH_VARIABLES = {
  QUEUE_CONCURRENCY: variable(positive(4), { description: 'chunk jobs one worker process runs at once' }),
  QUEUE_ATTEMPTS: variable(positive(5), { description: 'tries of a chunk job (also the stalls tolerated)' }),
  QUEUE_BACKOFF_MILLIS: variable(positive(1_000), {
    description: 'first retry delay of a chunk job; doubles each retry, 50 % jitter',
  }),
  QUEUE_LOCK_DURATION_MILLIS: variable(positive(30_000), {
    description: "a worker's hold on a job without renewal; a killed worker's job returns after it",
  }),
  QUEUE_STALLED_INTERVAL_MILLIS: variable(positive(30_000), {
    description: 'how often workers look for jobs of dead workers',
  }),
  BATCH_MAX_ROWS: variable(positive(100_000), { description: 'rows per batch ([docs/QUEUES.md](docs/QUEUES.md))' }),
  BATCH_MAX_BYTES: variable(positive(64 * 1024 * 1024), {
    description:
      'bytes per batch body; a larger declared `Content-Length` is refused `413` before the body is read, a chunked CSV body is cut off at the limit',
    defaultText: '67,108,864 (64 MiB)',
  }),
  BATCH_UPLOADS_IN_FLIGHT: variable(positive(2), {
    description:
      'batch bodies one instance reads at once; more get `429 too_many_large_bodies` with `Retry-After` before their body is read',
  }),
  BATCH_UPLOADS_IN_FLIGHT_PER_TENANT: variable(positive(1), {
    description: 'batch bodies one tenant sends one instance at once',
  }),
  BATCH_CHUNK_SIZE: variable(positive(100), { description: 'rows per job' }),
  BATCH_CHUNKS_IN_FLIGHT: variable(positive(4), { description: 'jobs of one batch in the queue at once' }),
  TENANT_OFFERS_PER_SECOND: variable(z.coerce.number().int().min(0).default(1_000), {
    description: 'offers per second per tenant over all workers (0: no limit)',
  }),
  DEFERRED_INTERVAL_SECONDS: variable(positive(30), {
    description:
      'how long a wallet is asked to wait between deferred-credential requests ([docs/QUEUES.md](docs/QUEUES.md))',
  }),
}

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

export const BATCH_SECTION = configSection({
  variables: BATCH_VARIABLES,
  from: (e): BatchConfig => ({
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
  }),
})

/** The queue configuration of `env` alone (`{}`: the defaults); the issuer reads it at boot with the rest. */
export function loadBatchConfig(env: Environment): BatchConfig {
  return readSection(BATCH_SECTION, env)
}
