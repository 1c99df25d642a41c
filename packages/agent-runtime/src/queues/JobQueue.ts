import { randomUUID } from 'node:crypto'
import type { Logger } from '@credo-ts/core'
import { type Job, Queue } from 'bullmq'
import { LogSampler } from '../logging/LogSampler.js'
import { countQueueRedisError } from '../metrics/processMetrics.js'
import type { RuntimeMetrics } from '../metrics/RuntimeMetrics.js'
import { type JobDefinition, jobOptions } from './JobDefinition.js'
import { type JobHandlers, JobWorker } from './JobWorker.js'
import type { QueueConnections } from './QueueConnections.js'
import { queueUnavailable } from './queues.js'

export interface AddJobOptions {
  /** The job id (default: the definition's `jobId`, else a random id). */
  jobId?: string
  /** A failed job with the same id is removed first, so the corrected work is queued anew. */
  replaceFailed?: boolean
}

/**
 * The producer side of a {@link JobDefinition}: it queues and reads jobs on the process's
 * fail-fast connection, and answers 503 `queue_unavailable` (never hangs) while Redis is away.
 * Connection errors are counted (`attesto_queue_redis_errors_total{queue}`) and logged at warn
 * level, one line per queue per 10 s at most.
 */
export class JobQueue<Payload, Result = void> {
  /** The BullMQ queue (depth reporting at `GET /admin/queues` and in the metrics). */
  public readonly queue: Queue<Payload, Result>
  private jobWorker?: JobWorker<Payload, Result>

  public constructor(
    public readonly definition: JobDefinition<Payload>,
    private readonly connections: QueueConnections,
    logger?: Logger,
  ) {
    const name = definition.name
    const sampler = new LogSampler()
    this.queue = new Queue<Payload, Result>(name, { connection: connections.producer, prefix: connections.prefix })
    this.queue.on('error', (error: Error) => {
      countQueueRedisError(name)
      sampler.sample(name, (suppressed) =>
        logger?.warn('Queue: Redis connection error', { queue: name, error, suppressed }),
      )
    })
  }

  /** Queues a job (a no-op when a job with its id is queued or done); returns the job id. */
  public async add(payload: Payload, options: AddJobOptions = {}): Promise<string> {
    const { definition } = this
    definition.payload.parse(payload) // a producer's bug, not the queue's: thrown as it is
    const jobId = options.jobId ?? definition.jobId?.(payload) ?? randomUUID()
    try {
      if (options.replaceFailed) {
        const earlier = await this.queue.getJob(jobId)
        if (earlier && (await earlier.isFailed())) await earlier.remove()
      }
      await this.queue.add(definition.jobName as never, payload as never, jobOptions(definition.retry, jobId))
    } catch (cause) {
      throw queueUnavailable(undefined, cause)
    }
    return jobId
  }

  /** The job with this id, or undefined. */
  public async getJob(jobId: string): Promise<Job<Payload, Result> | undefined> {
    try {
      return (await this.queue.getJob(jobId)) as Job<Payload, Result> | undefined
    } catch (cause) {
      throw queueUnavailable(undefined, cause)
    }
  }

  /** A job that failed for good is tried again (its attempts start over). */
  public async retryIfFailed(jobId: string): Promise<void> {
    const existing = await this.getJob(jobId)
    if (existing && (await existing.isFailed())) await existing.retry()
  }

  /** Throws 503 `queue_unavailable` unless Redis answers. */
  public async assertAvailable(): Promise<void> {
    const connection = this.connections.producer
    if (connection.status !== 'ready') throw queueUnavailable()
    await connection.ping().catch((cause: unknown) => {
      throw queueUnavailable(undefined, cause)
    })
  }

  /** Starts working the queue's jobs in this process with `handlers` (once; closed with the queue). */
  public work(
    handlers: JobHandlers<Payload, Result>,
    logger: Logger,
    metrics?: RuntimeMetrics,
  ): JobWorker<Payload, Result> {
    this.jobWorker ??= new JobWorker(this.definition, handlers, { connections: this.connections, logger, metrics })
    return this.jobWorker
  }

  /** The BullMQ worker, once {@link work} started it. */
  public get worker(): JobWorker<Payload, Result>['worker'] | undefined {
    return this.jobWorker?.worker
  }

  /** Closes the worker (letting its running jobs finish) and the queue; the shared connections stay. */
  public async close(): Promise<void> {
    await this.jobWorker?.close()
    await this.queue.close()
  }
}
