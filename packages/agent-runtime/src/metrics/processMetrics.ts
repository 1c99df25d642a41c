import { Counter, collectDefaultMetrics, Registry } from 'prom-client'

/**
 * Metrics of the whole process, whatever runtimes it holds: Node's defaults (CPU, memory, event
 * loop lag, GC, handles), the queue producers' Redis errors, and what the roles register here
 * (the issuer's OID4VCI outcomes, the verifier's OID4VP outcomes). Served by every `/metrics` of
 * the process.
 */
export const processRegistry = new Registry()
collectDefaultMetrics({ register: processRegistry, prefix: 'attesto_' })

const queueRedisErrors = new Counter({
  name: 'attesto_queue_redis_errors_total',
  help: 'Redis connection errors of queue producers, by queue',
  labelNames: ['queue'] as const,
  registers: [processRegistry],
})

/** Counts a queue producer's Redis connection error. */
export function countQueueRedisError(queue: string): void {
  queueRedisErrors.inc({ queue })
}
