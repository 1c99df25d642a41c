import { producerQueue, queueUnavailable, retryingJob, workerConnection } from '@attesto/agent-runtime'
import type { Logger } from '@credo-ts/core'
import { type Job, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { IssuanceSessionStore } from '../protocol/IssuanceSessionStore.js'

export const DEFERRED_CLAIMS_QUEUE = 'deferred-claims'

interface ApprovalJob {
  tenantId: string
  offerId: string
  claims: Record<string, unknown>
}

/**
 * Approved claims of deferred offers, queued (BullMQ on Redis) and recorded in the offer's
 * session by a worker; the
 * wallet's next deferred-credential request then gets the credential. The job id is the offer
 * id: claims are approved once per offer.
 */
export class DeferredClaimsQueue {
  private readonly producer: ReturnType<typeof producerQueue<ApprovalJob>>
  private workerConnection?: Redis
  private worker?: Worker<ApprovalJob>

  public constructor(
    private readonly redisUrl: string,
    private readonly prefix: string,
    private readonly attempts: number,
    private readonly backoffMillis: number,
  ) {
    this.producer = producerQueue<ApprovalJob>(redisUrl, DEFERRED_CLAIMS_QUEUE, prefix)
  }

  /** The BullMQ queue (for depth reporting at `GET /admin/queues`). */
  public get queue() {
    return this.producer.queue
  }

  public async add(job: ApprovalJob): Promise<void> {
    try {
      await this.producer.queue.add(
        'approve',
        job,
        retryingJob(`${job.offerId}-claims`, this.attempts, this.backoffMillis),
      )
    } catch {
      throw queueUnavailable()
    }
  }

  /** Starts recording approvals (the issuer worker does; tests may too). */
  public startWorking(sessions: IssuanceSessionStore, logger: Logger): this {
    this.workerConnection = workerConnection(this.redisUrl)
    this.worker = new Worker<ApprovalJob>(DEFERRED_CLAIMS_QUEUE, (job) => this.approve(sessions, job), {
      connection: this.workerConnection,
      prefix: this.prefix,
    })
    this.worker.on('error', (error) => logger.warn('Deferred-claims worker: Redis error', { error }))
    return this
  }

  public async close(): Promise<void> {
    await this.worker?.close()
    await this.producer.close()
    this.workerConnection?.disconnect()
  }

  /** Records the claims in the offer's session (once: a repeated job finds them there and changes nothing). */
  private async approve(sessions: IssuanceSessionStore, job: Job<ApprovalJob>): Promise<void> {
    const { tenantId, offerId, claims } = job.data
    await sessions.approveClaims(tenantId, offerId, claims)
  }
}
