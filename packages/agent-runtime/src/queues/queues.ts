import { type JobsOptions, Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { HttpError } from '../http/HttpError.js'

/** 503 `queue_unavailable`: the one answer of every call that needs a queue it cannot reach or does not have. */
export function queueUnavailable(
  message = 'The queue (Redis) is unavailable; nothing was queued, retry later',
  cause?: unknown,
): HttpError {
  return new HttpError(503, 'queue_unavailable', message, undefined, cause === undefined ? undefined : { cause })
}

/**
 * A BullMQ queue for producers (API processes): its connection fails fast while Redis is away
 * (no offline queue, one retry), so a request can answer 503 at once instead of hanging.
 * `close()` closes the queue and its connection.
 */
export function producerQueue<Data>(redisUrl: string, name: string, prefix: string) {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 })
  connection.on('error', () => {}) // reported by each call that fails
  const queue = new Queue<Data>(name, { connection, prefix })
  queue.on('error', () => {})
  return {
    queue,
    connection,
    async close() {
      await queue.close()
      connection.disconnect()
    },
  }
}

/** A connection for workers: BullMQ's blocking reads need commands to wait for Redis, not fail. */
export function workerConnection(redisUrl: string): Redis {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null })
  connection.on('error', () => {}) // workers log their own 'error' events
  return connection
}

/** Job options: `attempts` tries, exponential backoff from `backoffMillis` with 50 % jitter, bounded retention. */
export function retryingJob(jobId: string, attempts: number, backoffMillis: number): JobsOptions {
  return {
    jobId,
    attempts,
    backoff: { type: 'exponential', delay: backoffMillis, jitter: 0.5 },
    removeOnComplete: { age: 24 * 3600 },
    removeOnFail: { age: 7 * 24 * 3600 },
  }
}
