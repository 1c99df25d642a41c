import { randomUUID } from 'node:crypto'
import {
  type AgentContext,
  DidDocument,
  type DidResolutionOptions,
  type DidResolutionResult,
  type DidResolver,
  JsonTransformer,
  type ParsedDid,
} from '@credo-ts/core'
import { DID_NEGATIVE_KEY_PREFIX, DID_RESOLVER_KEY_PREFIX } from './cacheKeys.js'
import type { RedisLruCache } from './RedisLruCache.js'
import { CACHEABLE_RESOLUTION_ERRORS } from './validateCachedValue.js'

export interface CachingDidResolverOptions {
  cache: RedisLruCache
  /** Seconds a positive result is kept (default 300, as Credo's resolver cache). */
  ttlSeconds?: number
  /** Seconds a `notFound` or `invalidDid` answer is kept (default 60). Transient errors are never cached. */
  negativeTtlSeconds?: number
  /** How long another instance may hold the resolution lock for a DID (default 5,000 ms). */
  lockMillis?: number
  /** How often a waiting instance looks for the lock holder's result (default 20 ms). */
  lockPollMillis?: number
}

interface NegativeEntry {
  error: string
  message?: string
}

const releaseLockScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`

/**
 * Wraps a Credo `DidResolver` (did:web, for example) so that:
 * - concurrent resolutions of one DID in this process make one call to the resolver;
 * - across instances, a short Redis lock lets one instance resolve while the others wait for
 *   its result in Redis (and resolve themselves if it does not come within the lock time);
 * - `notFound` and `invalidDid` answers are cached for a short time; transient errors are not;
 * - only a document whose `id` is the requested DID is cached.
 *
 * Credo's `DidResolverService` still looks in the cache first; this wrapper runs on its misses.
 */
export class CachingDidResolver implements DidResolver {
  public readonly supportedMethods: string[]
  public readonly allowsCaching: boolean
  public readonly allowsLocalDidRecord?: boolean

  private readonly cache: RedisLruCache
  private readonly ttlSeconds: number
  private readonly negativeTtlSeconds: number
  private readonly lockMillis: number
  private readonly lockPollMillis: number
  private readonly inFlight = new Map<string, Promise<DidResolutionResult>>()

  public constructor(
    private readonly resolver: DidResolver,
    options: CachingDidResolverOptions,
  ) {
    this.supportedMethods = resolver.supportedMethods
    this.allowsCaching = resolver.allowsCaching
    this.allowsLocalDidRecord = resolver.allowsLocalDidRecord
    this.cache = options.cache
    this.ttlSeconds = options.ttlSeconds ?? 300
    this.negativeTtlSeconds = options.negativeTtlSeconds ?? 60
    this.lockMillis = options.lockMillis ?? 5_000
    this.lockPollMillis = options.lockPollMillis ?? 20
  }

  public resolve(
    agentContext: AgentContext,
    did: string,
    parsed: ParsedDid,
    options: DidResolutionOptions,
  ): Promise<DidResolutionResult> {
    const pending = this.inFlight.get(did)
    if (pending) {
      this.cache.metrics.increment('coalesced')
      return pending
    }
    const resolution = this.resolveOnce(agentContext, did, parsed, options).finally(() => this.inFlight.delete(did))
    this.inFlight.set(did, resolution)
    return resolution
  }

  private async resolveOnce(
    agentContext: AgentContext,
    did: string,
    parsed: ParsedDid,
    options: DidResolutionOptions,
  ): Promise<DidResolutionResult> {
    // Credo looked for a positive result before calling us, but a resolution of this DID may
    // have finished since (its waiters leave the in-flight map with it): look again, with the
    // negative answer, before resolving a second time.
    if (this.allowsCaching && options.useCache !== false) {
      const known = await this.fromCache(agentContext, did)
      if (known) return known
    }

    const lock = await this.acquireLock(did)
    if (lock === 'held-elsewhere') {
      this.cache.metrics.increment('remoteWaits')
      const shared = await this.waitForOtherInstance(agentContext, did)
      if (shared) return shared
    }
    try {
      return await this.callResolver(agentContext, did, parsed, options)
    } finally {
      if (typeof lock === 'string' && lock !== 'held-elsewhere') await this.releaseLock(did, lock)
    }
  }

  private async callResolver(
    agentContext: AgentContext,
    did: string,
    parsed: ParsedDid,
    options: DidResolutionOptions,
  ): Promise<DidResolutionResult> {
    const started = performance.now()
    let result: DidResolutionResult
    try {
      result = await this.resolver.resolve(agentContext, did, parsed, options)
    } catch (error) {
      this.cache.metrics.recordResolverCall(performance.now() - started, true)
      throw error
    }
    const error = result.didResolutionMetadata.error
    this.cache.metrics.recordResolverCall(performance.now() - started, !result.didDocument && !!error)

    if (!this.allowsCaching || options.persistInCache === false) return result
    if (result.didDocument && result.didDocument.id === did) {
      await this.cache.set(
        agentContext,
        `${DID_RESOLVER_KEY_PREFIX}${did}`,
        { ...result, didDocument: result.didDocument.toJSON() },
        this.ttlSeconds,
      )
    } else if (!result.didDocument && error && CACHEABLE_RESOLUTION_ERRORS.has(error)) {
      const entry: NegativeEntry = { error, message: result.didResolutionMetadata.message }
      await this.cache.set(agentContext, `${DID_NEGATIVE_KEY_PREFIX}${did}`, entry, this.negativeTtlSeconds)
    }
    return result
  }

  /** A cached positive result (written by another instance) or a cached negative answer. */
  private async fromCache(agentContext: AgentContext, did: string): Promise<DidResolutionResult | null> {
    const negative = await this.cache.get<NegativeEntry>(agentContext, `${DID_NEGATIVE_KEY_PREFIX}${did}`)
    if (negative) {
      this.cache.metrics.increment('negativeHits')
      return {
        didDocument: null,
        didDocumentMetadata: {},
        didResolutionMetadata: { error: negative.error, message: negative.message, servedFromCache: true },
      }
    }
    const positive = await this.cache.get<DidResolutionResult & { didDocument: Record<string, unknown> }>(
      agentContext,
      `${DID_RESOLVER_KEY_PREFIX}${did}`,
    )
    if (!positive) return null
    return {
      ...positive,
      didDocument: JsonTransformer.fromJSON(positive.didDocument, DidDocument),
      didResolutionMetadata: { ...positive.didResolutionMetadata, servedFromCache: true },
    }
  }

  /** A lock token, `held-elsewhere`, or undefined when there is no Redis to lock with. */
  private async acquireLock(did: string): Promise<string | 'held-elsewhere' | undefined> {
    const redis = this.cache.redisClient
    if (!redis || !this.cache.redisAvailable) return undefined
    const token = randomUUID()
    try {
      const acquired = await redis.set(this.lockKey(did), token, 'PX', this.lockMillis, 'NX')
      return acquired === 'OK' ? token : 'held-elsewhere'
    } catch {
      return undefined
    }
  }

  private async releaseLock(did: string, token: string): Promise<void> {
    await this.cache.redisClient?.eval(releaseLockScript, 1, this.lockKey(did), token).catch(() => {})
  }

  private async waitForOtherInstance(agentContext: AgentContext, did: string): Promise<DidResolutionResult | null> {
    const redis = this.cache.redisClient
    const deadline = Date.now() + this.lockMillis
    while (redis && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, this.lockPollMillis))
      const result = await this.fromCache(agentContext, did)
      if (result) return result
      const stillLocked = await redis.exists(this.lockKey(did)).catch(() => 0)
      if (!stillLocked) return this.fromCache(agentContext, did)
    }
    return null
  }

  private lockKey(did: string): string {
    return this.cache.lockKeyFor(did)
  }
}
