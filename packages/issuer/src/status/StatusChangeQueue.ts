import { randomUUID } from 'node:crypto'
import { producerQueue, queueUnavailable, retryingJob, workerConnection } from '@attesto/agent-runtime'
import type { RedisClient, RedisTarget } from '@attesto/did-cache'
import type { Logger } from '@credo-ts/core'
import { type Job, Worker } from 'bullmq'
import type { CredentialStatusService } from './CredentialStatusService.js'
import type { CredentialStatusValue } from './CredentialStatusStore.js'

export const STATUS_CHANGES_QUEUE = 'status-changes'

export interface StatusChangeJob {
  tenantId: string
  status: CredentialStatusValue
  offerIds: string[]
}

/** What a bulk change did, per outcome (ids listed for the ones that did not change, first 1,000). */
export interface StatusChangeResult {
  changed: number
  unchanged: number
  refused: string[]
  notFound: string[]
}

/**
 * Bulk status changes (a list of offer ids), queued on BullMQ and applied by the issuer worker
 * one statement per credential. A retried job repeats its changes harmlessly: a change to the
 * status a credential has already counts as `unchanged`.
 */
export class StatusChangeQueue {
  private readonly producer: ReturnType<typeof producerQueue<StatusChangeJob>>
  private connection?: RedisClient
  /** The worker, once started (its job outcomes are counted by the metrics). */
  public worker?: Worker<StatusChangeJob, StatusChangeResult>

  public constructor(
    private readonly redis: RedisTarget,
    prefix: string,
    private readonly attempts: number,
    private readonly backoffMillis: number,
    logger?: Logger,
  ) {
    this.producer = producerQueue<StatusChangeJob>(redis, STATUS_CHANGES_QUEUE, prefix, logger)
  }

  public get queue() {
    return this.producer.queue
  }

  public async add(job: StatusChangeJob): Promise<string> {
    const batchId = randomUUID()
    try {
      await this.producer.queue.add('change', job, retryingJob(batchId, this.attempts, this.backoffMillis))
    } catch (error) {
      throw queueUnavailable(undefined, error)
    }
    return batchId
  }

  /** The job of a tenant's batch, or undefined (another tenant's batch is not found either). */
  public async get(tenantId: string, batchId: string): Promise<Job<StatusChangeJob, StatusChangeResult> | undefined> {
    let job: Job<StatusChangeJob, StatusChangeResult> | undefined
    try {
      job = await this.producer.queue.getJob(batchId)
    } catch (error) {
      throw queueUnavailable(undefined, error)
    }
    return job && job.data.tenantId === tenantId ? job : undefined
  }

  public startWorking(service: CredentialStatusService, logger: Logger): this {
    this.connection = workerConnection(this.redis)
    this.worker = new Worker<StatusChangeJob, StatusChangeResult>(
      STATUS_CHANGES_QUEUE,
      (job) => this.apply(service, job),
      { connection: this.connection, prefix: this.producer.prefix, concurrency: 4 },
    )
    this.worker.on('error', (error) => logger.warn('Status-change worker: Redis error', { error }))
    return this
  }

  public async close(): Promise<void> {
    await this.worker?.close()
    await this.producer.close()
    this.connection?.disconnect()
  }

  private async apply(service: CredentialStatusService, job: Job<StatusChangeJob>): Promise<StatusChangeResult> {
    const { tenantId, status, offerIds } = job.data
    const result: StatusChangeResult = { changed: 0, unchanged: 0, refused: [], notFound: [] }
    for (const [done, offerId] of offerIds.entries()) {
      const change = await service.change(tenantId, offerId, status)
      if (change.outcome === 'changed') result.changed += 1
      else if (change.outcome === 'unchanged') result.unchanged += 1
      else if (change.outcome === 'refused') result.refused.length < 1000 && result.refused.push(offerId)
      else if (result.notFound.length < 1000) result.notFound.push(offerId)
      if (done % 500 === 499) await job.updateProgress(done + 1)
    }
    return result
  }
}
