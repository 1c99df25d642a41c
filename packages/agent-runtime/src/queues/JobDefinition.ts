import type { JobsOptions } from 'bullmq'
import type { z } from 'zod'

/** How often and how late a failed job is tried again. */
export interface RetryPolicy {
  /** Tries in all (the first one included) before the job is dead-lettered. */
  attempts: number
  /** Delay before the first retry; doubles with each further retry. */
  backoffMillis: number
  /** Share of each delay that is random (0.5: a delay is between half and all of its exponential value). */
  jitter?: number
}

/** The default share of random delay in a retry. */
export const RETRY_JITTER = 0.5

/** How a worker process holds its jobs. */
export interface JobWorkerSettings {
  /** Jobs one worker process runs at once (default 1). */
  concurrency?: number
  /** How long a worker's hold on a job lasts without renewal: a dead worker's jobs return after it. */
  lockDurationMillis?: number
  /** How often workers look for jobs whose worker died. */
  stalledIntervalMillis?: number
  /** Times a job may return from a dead worker before it fails for good. */
  maxStalledCount?: number
}

/**
 * One kind of job: what a producer queues and a worker runs, both built from this one value
 * (`JobQueue` and `JobWorker`). The name and the payload are what Redis keeps: a new version must
 * accept every payload an earlier version queued.
 */
export interface JobDefinition<Payload> {
  /** The queue in Redis (under the runtime's `QUEUE_PREFIX`). */
  name: string
  /** The queue's name in the metrics (`queue` label) and at `GET /admin/queues` (default: `name`). */
  label?: string
  /** The BullMQ job name of every job of the queue. */
  jobName: string
  /** What one job carries, checked when queued and again when run. */
  payload: z.ZodType<Payload>
  retry: RetryPolicy
  /** The job id of a payload, so that queueing the same work twice queues it once (default: a random id). */
  jobId?: (payload: Payload) => string
  /** Log lines of failed attempts read `<title> failed` (for example 'Deferred approval'). */
  title: string
  worker?: JobWorkerSettings
}

/** What a queue takes from configuration: its retry policy and how long a worker's hold on a job lasts. */
export interface QueueSettings extends RetryPolicy {
  lockDurationMillis?: number
  stalledIntervalMillis?: number
}

/** The retry policy and lock settings of a definition, from configuration. */
export function fromQueueSettings(settings: QueueSettings): Required<Pick<JobDefinition<never>, 'retry' | 'worker'>> {
  const { attempts, backoffMillis, jitter, lockDurationMillis, stalledIntervalMillis } = settings
  return {
    retry: { attempts, backoffMillis, ...(jitter === undefined ? {} : { jitter }) },
    worker: { lockDurationMillis, stalledIntervalMillis },
  }
}

/** Completed jobs are kept a day, failed (dead-lettered) ones a week. */
const KEEP_COMPLETED_SECONDS = 24 * 3600
const KEEP_FAILED_SECONDS = 7 * 24 * 3600

/** BullMQ options of a job: its id, the retry policy (exponential backoff with jitter), bounded retention. */
export function jobOptions(retry: RetryPolicy, jobId: string): JobsOptions {
  return {
    jobId,
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMillis, jitter: retry.jitter ?? RETRY_JITTER },
    removeOnComplete: { age: KEEP_COMPLETED_SECONDS },
    removeOnFail: { age: KEEP_FAILED_SECONDS },
  }
}
