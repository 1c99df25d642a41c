import { producerQueue, queueUnavailable, retryingJob } from '@attesto/agent-runtime'
import type { RedisTarget } from '@attesto/did-cache'
import type { Logger } from '@credo-ts/core'
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

/**
 * The producer side of the bulk-offer queue (BullMQ on Redis). It fails fast while Redis is
 * away, so that the API can answer 503 at once instead of holding the request.
 */
export class OfferBatchQueue {
  private readonly producer: ReturnType<typeof producerQueue<ChunkJob>>

  public constructor(
    redis: RedisTarget,
    prefix: string,
    private readonly config: BatchConfig,
    logger?: Logger,
  ) {
    this.producer = producerQueue<ChunkJob>(redis, OFFER_BATCH_QUEUE, prefix, logger)
  }

  /** The BullMQ prefix the queue's workers use (hash-tagged on a cluster). */
  public get prefix(): string {
    return this.producer.prefix
  }

  /** Throws 503 `queue_unavailable` unless Redis answers. */
  public async assertAvailable(): Promise<void> {
    if (this.producer.connection.status !== 'ready') throw queueUnavailable()
    await this.producer.connection.ping().catch(() => {
      throw queueUnavailable()
    })
  }

  /** Queues a chunk job (a no-op when that chunk is already queued or done). */
  public async add(job: ChunkJob): Promise<void> {
    try {
      await this.producer.queue.add(
        'chunk',
        job,
        retryingJob(chunkJobId(job), this.config.attempts, this.config.backoffMillis),
      )
    } catch {
      throw queueUnavailable()
    }
  }

  /** A failed chunk job is retried (used when resuming unfinished batches). */
  public async retryIfFailed(job: ChunkJob): Promise<void> {
    const existing = await this.producer.queue.getJob(chunkJobId(job))
    if (existing && (await existing.isFailed())) await existing.retry()
  }

  /** The BullMQ queue (for depth reporting at `GET /admin/queues`). */
  public get queue() {
    return this.producer.queue
  }

  public close(): Promise<void> {
    return this.producer.close()
  }
}
