import type { Logger } from '@credo-ts/core'
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq'
import { LogSampler } from '../logging/LogSampler.js'
import { watchWorker } from '../metrics/collectors.js'
import type { RuntimeMetrics } from '../metrics/RuntimeMetrics.js'
import type { JobDefinition } from './JobDefinition.js'
import type { QueueConnections } from './QueueConnections.js'

/** What a worker does with the jobs of a {@link JobDefinition}. */
export interface JobHandlers<Payload, Result> {
  /** Runs one attempt of a job; throwing fails the attempt (retried until the attempts are spent). */
  process(job: Job<Payload, Result>, token?: string): Promise<Result>
  /**
   * Called once when the last attempt failed (or the payload no longer parses), before the job
   * moves to the queue's failed set, where it stays visible for a week (`GET /admin/queues`).
   */
  deadLetter?(job: Job<Payload, Result>, error: Error): Promise<void>
}

export interface JobWorkerOptions {
  connections: QueueConnections
  logger: Logger
  /** Counts outcomes in `attesto_queue_job_outcomes_total{queue,outcome}` (completed, failed, dead_lettered). */
  metrics?: RuntimeMetrics
}

/** Whether this attempt of `job` is its last one. */
export function isLastAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
}

/**
 * The consumer side of a {@link JobDefinition}: a BullMQ worker on the process's shared worker
 * connection (it waits out a Redis outage and resumes by itself). Delivery is at least once: a
 * job whose worker dies returns to the queue when its lock expires, so handlers must be
 * idempotent. Each failed attempt is logged (`<title> failed`); the last one is dead-lettered.
 */
export class JobWorker<Payload, Result = void> {
  public readonly worker: Worker<Payload, Result>
  private readonly logger: Logger

  public constructor(
    public readonly definition: JobDefinition<Payload>,
    private readonly handlers: JobHandlers<Payload, Result>,
    options: JobWorkerOptions,
  ) {
    const { connections, logger, metrics } = options
    this.logger = logger
    const settings = definition.worker ?? {}
    this.worker = new Worker<Payload, Result>(definition.name, (job, token) => this.run(job, token), {
      connection: connections.worker,
      prefix: connections.prefix,
      concurrency: settings.concurrency ?? 1,
      ...(settings.lockDurationMillis ? { lockDuration: settings.lockDurationMillis } : {}),
      ...(settings.stalledIntervalMillis ? { stalledInterval: settings.stalledIntervalMillis } : {}),
      ...(settings.maxStalledCount ? { maxStalledCount: settings.maxStalledCount } : {}),
    })
    const sampler = new LogSampler()
    this.worker.on('error', (error) =>
      sampler.sample('redis', (suppressed) =>
        logger.warn(`${definition.title} worker: Redis error`, { queue: definition.name, error, suppressed }),
      ),
    )
    this.worker.on('failed', (job, error) =>
      logger.warn(`${definition.title} failed`, {
        queue: definition.name,
        jobId: job?.id,
        attempt: job?.attemptsMade,
        error,
      }),
    )
    if (metrics) watchWorker(metrics, definition.label ?? definition.name, this.worker)
  }

  /** Stops taking jobs and lets the running ones finish (`force`: leaves them to another worker, after their lock expires). */
  public close(force = false): Promise<void> {
    return this.worker.close(force)
  }

  private async run(job: Job<Payload, Result>, token?: string): Promise<Result> {
    try {
      const parsed = this.definition.payload.safeParse(job.data)
      if (!parsed.success) throw new UnrecoverableError(`The job's payload does not match ${this.definition.name}`)
      return await this.handlers.process(job, token)
    } catch (error) {
      // A DelayedError is BullMQ's signal that the job moved itself to the delayed set: no failure.
      if (error instanceof UnrecoverableError || (isLastAttempt(job) && !(error instanceof DelayedError))) {
        await this.handlers.deadLetter?.(job, error as Error).catch((cause: unknown) =>
          this.logger.error(`${this.definition.title}: could not keep the dead letter`, {
            jobId: job.id,
            error: cause,
          }),
        )
      }
      throw error
    }
  }
}
