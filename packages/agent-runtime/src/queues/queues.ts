import { createRedisClient, type RedisClient, type RedisTarget, slotPrefix } from '@attesto/did-cache'
import type { Logger } from '@credo-ts/core'
import { type JobsOptions, Queue } from 'bullmq'
import { HttpError } from '../errors/HttpError.js'
import { LogSampler } from '../logging/LogSampler.js'
import { countQueueRedisError } from '../metrics/processMetrics.js'

/** 503 `queue_unavailable`: the one answer of every call that needs a queue it cannot reach or does not have. */
export function queueUnavailable(
  message = 'The queue (Redis) is unavailable; nothing was queued, retry later',
  cause?: unknown,
): HttpError {
  return new HttpError(503, 'queue_unavailable', message, undefined, cause === undefined ? undefined : { cause })
}

/**
 * The BullMQ prefix of the queues under `QUEUE_PREFIX`: on a Redis Cluster `{attesto}`, because
 * BullMQ's scripts touch several keys of a queue at once and those must share one slot; on one
 * server the prefix as configured, so that jobs queued before an upgrade keep their keys.
 */
export function queuePrefix(redis: RedisTarget, prefix: string): string {
  return slotPrefix(redis, prefix)
}

/**
 * A BullMQ queue for producers (API processes): its connection fails fast while Redis is away
 * (no offline queue, one retry), so a request can answer 503 at once instead of hanging.
 * Connection errors are counted (`attesto_queue_redis_errors_total`) and logged at warn level
 * through `logger`, one line per queue per 10 s at most (each failed call reports its own error too).
 * `close()` closes the queue and its connection.
 */
export function producerQueue<Data>(redis: RedisTarget, name: string, prefix: string, logger?: Logger) {
  const connection = createRedisClient(redis, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
  })
  const sampler = new LogSampler()
  const onError = (error: Error) => {
    countQueueRedisError(name)
    sampler.sample(name, (suppressed) =>
      logger?.warn('Queue: Redis connection error', { queue: name, error, suppressed }),
    )
  }
  connection.on('error', onError)
  const queue = new Queue<Data>(name, { connection, prefix: queuePrefix(redis, prefix) })
  queue.on('error', onError)
  return {
    queue,
    connection,
    /** The BullMQ prefix the queue's workers must use too. */
    prefix: queuePrefix(redis, prefix),
    async close() {
      await queue.close()
      connection.disconnect()
    },
  }
}

/** A connection for workers: BullMQ's blocking reads need commands to wait for Redis, not fail. */
export function workerConnection(redis: RedisTarget): RedisClient {
  const connection = createRedisClient(redis, { maxRetriesPerRequest: null })
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
