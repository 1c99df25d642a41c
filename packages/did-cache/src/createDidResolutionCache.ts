import { CacheModule, type DidResolver, DidsModule } from '@credo-ts/core'
import { CachingDidResolver, type CachingDidResolverOptions } from './CachingDidResolver.js'
import type { DidCacheMetrics } from './DidCacheMetrics.js'
import { RedisLruCache, type RedisLruCacheOptions } from './RedisLruCache.js'

export interface CreateDidResolutionCacheOptions
  extends RedisLruCacheOptions,
    Omit<CachingDidResolverOptions, 'cache'> {}

export interface DidResolutionCache {
  cache: RedisLruCache
  metrics: DidCacheMetrics
  /** Wraps a resolver with coalescing, negative caching and the cross-instance lock. */
  wrapResolver(resolver: DidResolver): CachingDidResolver
  /** Credo modules to register: the cache (replacing Credo's per-process LRU) and the DIDs module. */
  modules(resolvers: DidResolver[]): { cache: CacheModule; dids: DidsModule }
  close(): Promise<void>
}

/**
 * The runtime hook: one cache per process, plugged into an agent with
 * `new Agent({ modules: { ...didCache.modules(resolvers), … } })`.
 */
export function createDidResolutionCache(options: CreateDidResolutionCacheOptions = {}): DidResolutionCache {
  const cache = new RedisLruCache(options)
  const wrapResolver = (resolver: DidResolver) => new CachingDidResolver(resolver, { ...options, cache })
  return {
    cache,
    metrics: cache.metrics,
    wrapResolver,
    modules: (resolvers) => ({
      cache: new CacheModule({ cache }),
      dids: new DidsModule({ resolvers: resolvers.map(wrapResolver) }),
    }),
    close: () => cache.close(),
  }
}
