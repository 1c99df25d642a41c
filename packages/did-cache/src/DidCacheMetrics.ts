/** A point-in-time copy of the counters, for a metrics endpoint or a log line. */
export interface DidCacheMetricsSnapshot {
  lruHits: number
  lruMisses: number
  redisHits: number
  redisMisses: number
  redisErrors: number
  negativeHits: number
  /** Resolutions that joined one already in flight in this process. */
  coalesced: number
  /** Resolutions that waited for another instance holding the Redis lock. */
  remoteWaits: number
  resolverCalls: number
  resolverErrors: number
  resolverLatencyMillisTotal: number
  resolverLatencyMillisAverage: number
  /** Cached values that failed validation on read and were thrown away. */
  discarded: number
  /** Hits over lookups, counting a Redis hit after an LRU miss as one hit. */
  hitRatio: number
}

type Counter = Exclude<keyof DidCacheMetricsSnapshot, 'resolverLatencyMillisAverage' | 'hitRatio'>

/** Hit and miss counters per level, coalesced calls and resolver latency. */
export class DidCacheMetrics {
  private readonly counters: Record<Counter, number> = {
    lruHits: 0,
    lruMisses: 0,
    redisHits: 0,
    redisMisses: 0,
    redisErrors: 0,
    negativeHits: 0,
    coalesced: 0,
    remoteWaits: 0,
    resolverCalls: 0,
    resolverErrors: 0,
    resolverLatencyMillisTotal: 0,
    discarded: 0,
  }

  public increment(counter: Counter, by = 1): void {
    this.counters[counter] += by
  }

  public recordResolverCall(latencyMillis: number, failed: boolean): void {
    this.counters.resolverCalls += 1
    this.counters.resolverLatencyMillisTotal += latencyMillis
    if (failed) this.counters.resolverErrors += 1
  }

  public snapshot(): DidCacheMetricsSnapshot {
    const c = this.counters
    const lookups = c.lruHits + c.lruMisses
    return {
      ...c,
      resolverLatencyMillisAverage: c.resolverCalls ? c.resolverLatencyMillisTotal / c.resolverCalls : 0,
      hitRatio: lookups ? (c.lruHits + c.redisHits) / lookups : 0,
    }
  }

  public reset(): void {
    for (const key of Object.keys(this.counters) as Counter[]) this.counters[key] = 0
  }
}
