import {
  type JobDefinition,
  type JobHandlers,
  JobQueue,
  JobWorker,
  QueueConnections,
  RuntimeMetrics,
  watchQueues,
} from '@attesto/agent-runtime'
import type { RedisTarget } from '@attesto/did-cache'
import { silentLogger } from '@attesto/testing'
import type { Job } from 'bullmq'

/** What one attempt of a job looked like: job timestamps (BullMQ's), not the test's clock. */
export interface Attempt {
  jobId: string
  attemptsMade: number
  processedOn: number
  failedAt?: number
}

/** A queue of one definition with its producer, a worker "process" and its metrics. */
export class ContractProcess {
  public readonly connections: QueueConnections
  public readonly metrics = new RuntimeMetrics('issuer')
  public readonly producer: JobQueue<unknown, unknown>
  public worker?: JobWorker<unknown, unknown>

  public constructor(
    public readonly definition: JobDefinition<unknown>,
    redis: RedisTarget,
    prefix: string,
  ) {
    this.connections = new QueueConnections(redis, prefix)
    this.producer = new JobQueue(definition, this.connections, silentLogger)
    watchQueues(this.metrics, { [definition.label ?? definition.name]: this.producer.queue })
  }

  public work(handlers: JobHandlers<unknown, unknown>): JobWorker<unknown, unknown> {
    this.worker = new JobWorker(this.definition, handlers, {
      connections: this.connections,
      logger: silentLogger,
      metrics: this.metrics,
    })
    return this.worker
  }

  /** A value of the process's metrics, by name and labels (0 when absent). */
  public async metric(name: string, labels: Record<string, string>): Promise<number> {
    const metric = (await this.metrics.registry.getMetricsAsJSON()).find((entry) => entry.name === name)
    const value = (metric?.values as { labels: Record<string, unknown>; value: number }[] | undefined)?.find((entry) =>
      Object.entries(labels).every(([key, wanted]) => String(entry.labels[key]) === wanted),
    )
    return value?.value ?? 0
  }

  /** Closes like a crashed process: running jobs are left (their locks expire), connections dropped. */
  public async crash(): Promise<void> {
    await this.worker?.close(true)
    this.connections.close()
  }

  public async close(): Promise<void> {
    await this.worker?.close()
    await this.producer.close()
    this.connections.close()
  }
}

/** Records an attempt and fails it. */
export function failingAttempt(attempts: Attempt[]) {
  return async (job: Job): Promise<never> => {
    attempts.push({
      jobId: String(job.id),
      attemptsMade: job.attemptsMade,
      processedOn: job.processedOn ?? 0,
      failedAt: Date.now(),
    })
    throw new Error('scripted failure')
  }
}

export async function until<T>(probe: () => T | Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const value = await probe()
    if (done(value)) return value
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}
