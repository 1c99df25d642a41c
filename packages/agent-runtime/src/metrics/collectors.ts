import type { DidCacheMetrics } from '@attesto/did-cache'
import type { PoolUsage } from '@attesto/storage-service'
import type { Kms } from '@credo-ts/core'
import type { Queue, Worker } from 'bullmq'
import { Counter, Gauge } from 'prom-client'
import type { RuntimeMetrics } from './RuntimeMetrics.js'

/**
 * Collectors read counters the packages keep, at scrape time: nothing here runs per request.
 * Each `watch…` registers its metrics on the runtime's registry.
 */

/** `attesto_db_pool_connections{pool,state}`: open, idle, waiting and max connections per pool. */
export function watchDatabasePools(metrics: RuntimeMetrics, database: { poolUsage(): PoolUsage[] }): void {
  new Gauge({
    name: 'attesto_db_pool_connections',
    help: 'Storage connection pool use by pool (primary, replica) and state (total, idle, waiting callers, max)',
    labelNames: ['pool', 'state'] as const,
    registers: [metrics.registry],
    collect() {
      this.reset()
      for (const usage of database.poolUsage()) {
        for (const state of ['total', 'idle', 'waiting', 'max'] as const) {
          this.set({ pool: usage.pool, state }, usage[state])
        }
      }
    },
  })
}

/** A counter whose values are read from `read` at scrape time (totals kept elsewhere). */
export function readCounter<Label extends string>(
  metrics: RuntimeMetrics,
  name: string,
  help: string,
  labelNames: readonly Label[],
  read: () => [Partial<Record<Label, string>>, number][],
): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [metrics.registry],
    collect() {
      this.reset()
      for (const [labels, value] of read()) this.inc(labels as never, value)
    },
  })
}

/** DID cache lookups per level (LRU, Redis) and result, resolver calls and Redis errors. */
export function watchDidCache(metrics: RuntimeMetrics, cache: DidCacheMetrics): void {
  readCounter(
    metrics,
    'attesto_did_cache_lookups_total',
    'DID cache lookups by level (lru, redis) and result (hit, miss)',
    ['level', 'result'],
    () => {
      const s = cache.snapshot()
      return [
        [{ level: 'lru', result: 'hit' }, s.lruHits],
        [{ level: 'lru', result: 'miss' }, s.lruMisses],
        [{ level: 'redis', result: 'hit' }, s.redisHits],
        [{ level: 'redis', result: 'miss' }, s.redisMisses],
      ]
    },
  )
  readCounter(
    metrics,
    'attesto_did_resolutions_total',
    'DID resolutions past the cache by outcome (ok, error)',
    ['outcome'],
    () => {
      const s = cache.snapshot()
      return [
        [{ outcome: 'ok' }, s.resolverCalls - s.resolverErrors],
        [{ outcome: 'error' }, s.resolverErrors],
      ]
    },
  )
  readCounter(metrics, 'attesto_did_cache_redis_errors_total', 'Redis errors of the DID cache', [], () => [
    [{}, cache.snapshot().redisErrors],
  ])
}

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'] as const

/**
 * `attesto_queue_jobs{queue,state}`: job counts per queue (one Redis call per queue and scrape);
 * `attesto_queue_up{queue}` is 0 when Redis did not answer.
 */
export function watchQueues(metrics: RuntimeMetrics, queues: Record<string, Queue | undefined>): void {
  type Counts = [name: string, counts: Record<string, number> | undefined][]
  // Both gauges are collected at once (in parallel): one read of Redis serves the two.
  let reading: Promise<Counts> | undefined
  const read = () => {
    reading ??= Promise.all(
      Object.entries(queues)
        .filter((entry): entry is [string, Queue] => entry[1] !== undefined)
        .map(async ([name, queue]): Promise<Counts[number]> => {
          try {
            return [name, await queue.getJobCounts(...QUEUE_STATES)]
          } catch {
            return [name, undefined]
          }
        }),
    ).finally(() => {
      reading = undefined
    })
    return reading
  }
  new Gauge({
    name: 'attesto_queue_up',
    help: 'Whether the queue (Redis) answered the last scrape (1) or not (0)',
    labelNames: ['queue'] as const,
    registers: [metrics.registry],
    async collect() {
      this.reset()
      for (const [queue, counts] of await read()) this.set({ queue }, counts ? 1 : 0)
    },
  })
  new Gauge({
    name: 'attesto_queue_jobs',
    help: 'Jobs per queue and state (waiting, active, delayed, prioritized: the depth; failed, completed: kept for a while)',
    labelNames: ['queue', 'state'] as const,
    registers: [metrics.registry],
    async collect() {
      this.reset()
      for (const [queue, counts] of await read()) {
        if (!counts) continue
        for (const state of QUEUE_STATES) this.set({ queue, state }, counts[state] ?? 0)
      }
    },
  })
}

const jobOutcomes = new WeakMap<RuntimeMetrics, Counter<'queue' | 'outcome'>>()

/**
 * Counts a BullMQ worker's job outcomes in `attesto_queue_job_outcomes_total`: completed, failed
 * (an attempt failed) and dead_lettered (the last attempt failed: the job stays in the failed set).
 */
export function watchWorker(metrics: RuntimeMetrics, queue: string, worker: Worker): void {
  let counter = jobOutcomes.get(metrics)
  if (!counter) {
    counter = new Counter({
      name: 'attesto_queue_job_outcomes_total',
      help: 'Jobs this process ran, by queue and outcome (completed; failed: an attempt failed, retried until its attempts are spent; dead_lettered: the last attempt failed)',
      labelNames: ['queue', 'outcome'] as const,
      registers: [metrics.registry],
    })
    jobOutcomes.set(metrics, counter)
  }
  const outcomes = counter
  worker.on('completed', () => outcomes.inc({ queue, outcome: 'completed' }))
  worker.on('failed', (job) => {
    outcomes.inc({ queue, outcome: 'failed' })
    if (job?.finishedOn) outcomes.inc({ queue, outcome: 'dead_lettered' })
  })
}

/** What a webhook service has done since it started (kept by the service). */
export interface WebhookDeliveryStats {
  delivered: number
  failed: number
  deadLettered: number
  undeliverable: number
}

/** `attesto_webhook_deliveries_total{outcome}`: delivered, failed attempts, dead-lettered, undeliverable. */
export function watchWebhooks(metrics: RuntimeMetrics, stats: WebhookDeliveryStats): void {
  readCounter(
    metrics,
    'attesto_webhook_deliveries_total',
    'Webhook delivery attempts by outcome (delivered; failed: will be retried or dead-lettered; dead_lettered: the last attempt failed; undeliverable: the tenant is gone)',
    ['outcome'],
    () => [
      [{ outcome: 'delivered' }, stats.delivered],
      [{ outcome: 'failed' }, stats.failed],
      [{ outcome: 'dead_lettered' }, stats.deadLettered],
      [{ outcome: 'undeliverable' }, stats.undeliverable],
    ],
  )
}

const TIMED_KMS_OPERATIONS = new Set([
  'createKey',
  'importKey',
  'getPublicKey',
  'deleteKey',
  'sign',
  'verify',
  'encrypt',
  'decrypt',
  'wrapKey',
  'unwrapKey',
])

/**
 * The KMS backend with each call timed in `attesto_kms_call_duration_seconds`, and its circuit
 * breaker's state (remote backends) in `attesto_kms_circuit_state{backend,state}` (1 for the
 * current state). Other properties pass through unchanged.
 */
export function instrumentKms(metrics: RuntimeMetrics, kms: Kms.KeyManagementService): Kms.KeyManagementService {
  const backend = kms.backend
  const breaker = kms as { circuitState?: string }
  if ('circuitState' in breaker) {
    new Gauge({
      name: 'attesto_kms_circuit_state',
      help: 'The KMS circuit breaker: 1 for its current state (closed, half-open, open), 0 for the others',
      labelNames: ['backend', 'state'] as const,
      registers: [metrics.registry],
      collect() {
        for (const state of ['closed', 'half-open', 'open'])
          this.set({ backend, state }, breaker.circuitState === state ? 1 : 0)
      },
    })
  }
  const timed = new Map<PropertyKey, unknown>()
  return new Proxy(kms, {
    get(target, property) {
      const value = Reflect.get(target, property, target)
      if (typeof value !== 'function') return value
      if (!TIMED_KMS_OPERATIONS.has(property as string)) return value.bind(target)
      let wrapper = timed.get(property)
      if (!wrapper) {
        const operation = String(property)
        wrapper = async (...args: unknown[]) => {
          const started = performance.now()
          let outcome = 'error'
          try {
            const result = await value.apply(target, args)
            outcome = 'ok'
            return result
          } finally {
            metrics.kmsCalls.observe({ backend, operation, outcome }, (performance.now() - started) / 1000)
          }
        }
        timed.set(property, wrapper)
      }
      return wrapper
    },
  })
}
