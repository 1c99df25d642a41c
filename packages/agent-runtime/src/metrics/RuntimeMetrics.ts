import type { DatabaseObserver, DatabaseWorkKind } from '@attesto/storage-service'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { processRegistry } from './processMetrics.js'

/** Seconds: from 1 ms (a cached read) to 10 s (a request at its timeout). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/**
 * The metrics of one runtime (a service or the worker): HTTP requests, storage and KMS calls,
 * and what collectors read at scrape time from the counters the packages keep (DID cache,
 * status lists, queues, webhooks, connection pools). `/metrics` serves these and the
 * process's own ({@link processRegistry}).
 */
export class RuntimeMetrics {
  public readonly registry = new Registry()

  public readonly httpRequests = new Histogram({
    name: 'attesto_http_request_duration_seconds',
    help: 'HTTP requests by method, route template (unmatched: none matched) and status, and their latency',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  })

  private readonly databaseWork = new Histogram({
    name: 'attesto_db_work_duration_seconds',
    help: 'Storage units of work (tenant session, admin transaction, single query; connection checkout included) by outcome',
    labelNames: ['kind', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  })

  private readonly replicaFallbacks = new Counter({
    name: 'attesto_db_replica_fallback_reads_total',
    help: 'Lag-tolerant reads (lists) the primary served because the read replica was unavailable',
    registers: [this.registry],
  })

  private readonly replicaAvailable = new Gauge({
    name: 'attesto_db_replica_available',
    help: '1 while lag-tolerant reads go to the read replica, 0 while they fall back to the primary',
    registers: [this.registry],
  })

  public readonly kmsCalls = new Histogram({
    name: 'attesto_kms_call_duration_seconds',
    help: 'KMS backend calls by backend, operation and outcome (ok, error), and their latency',
    labelNames: ['backend', 'operation', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  })

  /** Told the duration of every storage unit of work. */
  public readonly databaseObserver: DatabaseObserver = {
    onWork: (kind: DatabaseWorkKind, durationMillis: number, failed: boolean) => {
      this.databaseWork.observe({ kind, outcome: failed ? 'error' : 'ok' }, durationMillis / 1000)
    },
    onReplicaFallback: () => this.replicaFallbacks.inc(),
    onReplicaAvailability: (available: boolean) => this.replicaAvailable.set(available ? 1 : 0),
  }

  public constructor(public readonly service: string) {
    this.registry.setDefaultLabels({ service })
  }

  /** The Prometheus text exposition of the process's metrics and this runtime's. */
  public async exposition(): Promise<string> {
    const [own, process] = await Promise.all([this.registry.metrics(), processRegistry.metrics()])
    return `${process}\n${own}`
  }

  public get contentType(): string {
    return this.registry.contentType
  }
}
