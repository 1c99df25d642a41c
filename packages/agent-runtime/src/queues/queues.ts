import { type RedisTarget, slotPrefix } from '@attesto/did-cache'
import { DomainError } from '@attesto/protocol-kit'

/** 503 `queue_unavailable`: the one answer of every call that needs a queue it cannot reach or does not have. */
export function queueUnavailable(
  message = 'The queue (Redis) is unavailable; nothing was queued, retry later',
  cause?: unknown,
): DomainError {
  return new DomainError('queue_unavailable', message, { cause })
}

/**
 * The BullMQ prefix of the queues under `QUEUE_PREFIX`: on a Redis Cluster `{attesto}`, because
 * BullMQ's scripts touch several keys of a queue at once and those must share one slot; on one
 * server the prefix as configured, so that jobs queued before an upgrade keep their keys.
 */
export function queuePrefix(redis: RedisTarget, prefix: string): string {
  return slotPrefix(redis, prefix)
}
