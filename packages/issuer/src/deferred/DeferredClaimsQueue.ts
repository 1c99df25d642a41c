import { createHash } from 'node:crypto'
import { producerQueue, queueUnavailable, retryingJob, workerConnection } from '@attesto/agent-runtime'
import type { RedisClient, RedisTarget } from '@attesto/did-cache'
import type { Logger } from '@credo-ts/core'
import { type Job, Worker } from 'bullmq'
import type { IssuanceSessionStore } from '../issuance/IssuanceSessionStore.js'

export const DEFERRED_CLAIMS_QUEUE = 'deferred-claims'

interface ApprovalJob {
  tenantId: string
  offerId: string
  claims: Record<string, unknown>
}

/**
 * Approved claims of deferred offers, queued (BullMQ on Redis) and recorded in the offer's
 * session by a worker; the wallet's next deferred-credential request then gets the credential.
 * The job id is the offer id and a digest of the claims: the same approval sent twice is queued
 * once, and a corrected one after a failed approval is queued anew (the failed job is removed).
 * The session row records claims once per offer. Claims never reach a log line or a job's
 * stored failure reason.
 */
export class DeferredClaimsQueue {
  private readonly producer: ReturnType<typeof producerQueue<ApprovalJob>>
  private workerConnection?: RedisClient
  /** The worker, once started (its job outcomes are counted by the metrics). */
  public worker?: Worker<ApprovalJob>

  public constructor(
    private readonly redis: RedisTarget,
    prefix: string,
    private readonly attempts: number,
    private readonly backoffMillis: number,
    logger?: Logger,
  ) {
    this.producer = producerQueue<ApprovalJob>(redis, DEFERRED_CLAIMS_QUEUE, prefix, logger)
  }

  /** The BullMQ queue (for depth reporting at `GET /admin/queues`). */
  public get queue() {
    return this.producer.queue
  }

  public async add(job: ApprovalJob): Promise<void> {
    const digest = createHash('sha256').update(JSON.stringify(job.claims)).digest('hex').slice(0, 32)
    const jobId = `${job.offerId}-claims-${digest}`
    try {
      const earlier = await this.producer.queue.getJob(jobId)
      if (earlier && (await earlier.isFailed())) await earlier.remove()
      await this.producer.queue.add('approve', job, retryingJob(jobId, this.attempts, this.backoffMillis))
    } catch (cause) {
      throw queueUnavailable(undefined, cause)
    }
  }

  /** Starts recording approvals (the issuer worker does; tests may too). */
  public startWorking(sessions: IssuanceSessionStore, logger: Logger): this {
    this.workerConnection = workerConnection(this.redis)
    this.worker = new Worker<ApprovalJob>(DEFERRED_CLAIMS_QUEUE, (job) => this.approve(sessions, job), {
      connection: this.workerConnection,
      prefix: this.producer.prefix,
    })
    this.worker.on('error', (error) => logger.warn('Deferred-claims worker: Redis error', { error }))
    this.worker.on('failed', (job, error) =>
      logger.warn('Deferred approval failed', {
        offerId: job?.data.offerId,
        attempt: job?.attemptsMade,
        reason: (error as ApprovalFailedError).reason ?? 'unknown',
      }),
    )
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
    try {
      await sessions.approveClaims(tenantId, offerId, claims)
    } catch (error) {
      // A database error can quote the statement's values (the claims): keep only its class and code.
      const code = (error as { code?: unknown; cause?: { code?: unknown } }).cause?.code
      throw new ApprovalFailedError(`${(error as Error).name}${typeof code === 'string' ? ` (${code})` : ''}`)
    }
  }
}

/** A failed approval, described without the claims or the database's message. */
export class ApprovalFailedError extends Error {
  public constructor(public readonly reason: string) {
    super(`Recording the approved claims failed: ${reason}`)
  }
}
