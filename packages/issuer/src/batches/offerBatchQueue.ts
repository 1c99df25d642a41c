import { fromQueueSettings, type JobDefinition, type JobQueue } from '@attesto/agent-runtime'
import { z } from 'zod'
import type { BatchConfig } from './batchConfig.js'

export const OFFER_BATCH_QUEUE = 'offer-batches'

/** A chunk job: rows `index * chunkSize …` of a tenant's batch. */
export interface ChunkJob {
  tenantId: string
  batchId: string
  index: number
}

/** The job id of a chunk: derived, so adding the same chunk twice queues it once. */
export const chunkJobId = ({ batchId, index }: ChunkJob) => `${batchId}-${index}`

const chunkJob: z.ZodType<ChunkJob> = z.object({
  tenantId: z.string(),
  batchId: z.string(),
  index: z.number().int().min(0),
})

/**
 * Bulk offers: one job per chunk of a batch's rows, its id derived from the batch and the chunk.
 * A worker holds a chunk for `lockDurationMillis`; a chunk whose worker died returns after it, up
 * to `attempts` times.
 */
export function offerBatchJobs(config: BatchConfig): JobDefinition<ChunkJob> {
  const { retry, worker } = fromQueueSettings(config)
  return {
    name: OFFER_BATCH_QUEUE,
    jobName: 'chunk',
    title: 'Offer batch chunk',
    payload: chunkJob,
    retry,
    jobId: chunkJobId,
    worker: { ...worker, concurrency: config.concurrency, maxStalledCount: config.attempts },
  }
}

/** The producer side of the bulk-offer queue: it answers 503 at once while Redis is away. */
export type OfferBatchQueue = JobQueue<ChunkJob>
