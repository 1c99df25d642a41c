import type { AgentContext, Cache } from '@credo-ts/core'
import { LRUCache } from 'lru-cache'
import { namespacedKey } from './cacheKeys.js'
import { DidCacheError } from './DidCacheError.js'
import { DidCacheMetrics } from './DidCacheMetrics.js'
import { createRedisClient, type RedisClient, type RedisTarget } from './redisClient.js'
import { isValidCachedValue } from './validateCachedValue.js'

export interface DidCacheLogger {
  warn(message: string, data?: Record<string, unknown>): void
  info(message: string, data?: Record<string, unknown>): void
}

const consoleLogger: DidCacheLogger = {
  warn: (message, data) => console.warn(JSON.stringify({ level: 'warn', component: 'did-cache', message, ...data })),
  info: (message, data) => console.info(JSON.stringify({ level: 'info', component: 'did-cache', message, ...data })),
}

export interface RedisLruCacheOptions {
  /**
   * `redis://host:6379/0`, or a Redis Cluster (keys spread over its slots; invalidations are
   * published cluster-wide). Without it the cache is the in-process LRU alone.
   */
  redis?: RedisTarget
  /** Prefix of every Redis key and of the invalidation channel (default `attesto:`). */
  keyPrefix?: string
  /** Entries the in-process LRU holds (default 10,000). */
  lruMaxEntries?: number
  /**
   * Seconds an entry lives in the in-process LRU (default 30). Short, because it bounds how
   * stale an instance can be if it missed an invalidation while Redis was unreachable.
   */
  lruTtlSeconds?: number
  /** Redis TTL when Credo passes none (default 300 s, Credo's own DID cache default). */
  defaultTtlSeconds?: number
  /** A Redis command that takes longer fails, and the cache carries on without it (default 250 ms). */
  commandTimeoutMillis?: number
  metrics?: DidCacheMetrics
  logger?: DidCacheLogger
}

/**
 * Credo `Cache` with two levels: an in-process LRU in front of Redis. A Redis hit fills the LRU.
 *
 * - `did:resolver:*` (and our `did:negative:*`) keys are shared by all tenants: DID documents
 *   are public, so a thousand tenants verifying the same issuer share one entry. Every other
 *   key is namespaced by the agent context.
 * - `remove` deletes the entry in Redis and publishes the key, and every instance drops it from
 *   its LRU.
 * - When Redis is unreachable, every call degrades to the LRU alone (and callers resolve
 *   directly); ioredis reconnects by itself. One warning is logged when Redis goes away and one
 *   line when it is back, not one per request.
 * - A value under a DID key is stored only if it is a document for that DID, and a cached value
 *   that fails that check on read is discarded.
 */
export class RedisLruCache implements Cache {
  public readonly metrics: DidCacheMetrics
  private readonly prefix: string
  private readonly lru: LRUCache<string, string>
  private readonly lruTtlMillis: number
  private readonly defaultTtlSeconds: number
  private readonly logger: DidCacheLogger
  private readonly redis?: RedisClient
  private readonly subscriber?: RedisClient
  private readonly channel: string
  private subscribed = false
  private redisDown = false
  private closing = false

  public constructor(options: RedisLruCacheOptions = {}) {
    this.metrics = options.metrics ?? new DidCacheMetrics()
    this.prefix = options.keyPrefix ?? 'attesto:'
    this.lruTtlMillis = (options.lruTtlSeconds ?? 30) * 1000
    this.lru = new LRUCache({ max: options.lruMaxEntries ?? 10_000, ttl: this.lruTtlMillis })
    this.defaultTtlSeconds = options.defaultTtlSeconds ?? 300
    this.logger = options.logger ?? consoleLogger
    this.channel = `${this.prefix}did-cache:invalidate`
    if (options.redis) {
      const retryStrategy = (attempt: number) => Math.min(attempt * 200, 2_000)
      this.redis = createRedisClient(options.redis, {
        commandTimeout: options.commandTimeoutMillis ?? 250,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        retryStrategy,
      })
      // The subscriber subscribes on every 'ready' (after each reconnect too), itself: ioredis's own
      // re-subscription sends SUBSCRIBE without a rejection handler, so a connection that closes at
      // that moment ends the process with an unhandled "Connection is closed.". (A cluster client
      // moves its subscription to another node by itself when the node it listens on fails.)
      this.subscriber = createRedisClient(options.redis, { retryStrategy, autoResubscribe: false })
      this.redis.on('error', (error: Error) => this.markDown(error))
      this.redis.on('close', () => this.markDown(new Error('connection closed')))
      this.redis.on('ready', () => this.markUp())
      this.subscriber.on('error', () => {})
      this.subscriber.on('close', () => {
        this.subscribed = false
      })
      this.subscriber.on('message', (_channel: string, key: string) => this.lru.delete(key))
      this.subscriber.on('ready', () => {
        this.subscriber
          ?.subscribe(this.channel)
          .then(() => {
            this.subscribed = true
          })
          .catch(() => {})
      })
    }
  }

  /** Whether Redis is connected and answering (false when running without Redis). */
  public get redisAvailable(): boolean {
    return this.redis?.status === 'ready'
  }

  /** The Redis client, for the resolver's cross-instance lock. Undefined without Redis. */
  public get redisClient(): RedisClient | undefined {
    return this.redis
  }

  /** Resolves once Redis and the invalidation subscription are ready (immediately without Redis). */
  public async waitUntilReady(timeoutMillis = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMillis
    const subscribed = () => this.subscriber?.status === 'ready' && this.subscribed
    while (this.redis && !(this.redisAvailable && subscribed())) {
      if (Date.now() > deadline) throw new DidCacheError(`Redis did not become ready within ${timeoutMillis} ms`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  /** The Redis key of the short lock one instance holds while it resolves `did`. */
  public lockKeyFor(did: string): string {
    return `${this.prefix}lock:${did}`
  }

  public keyFor(agentContext: AgentContext, key: string): string {
    return namespacedKey(this.prefix, agentContext, key)
  }

  public async get<CacheValue>(agentContext: AgentContext, key: string): Promise<CacheValue | null> {
    const fullKey = this.keyFor(agentContext, key)
    const local = this.lru.get(fullKey)
    if (local !== undefined) {
      this.metrics.increment('lruHits')
      return JSON.parse(local) as CacheValue
    }
    this.metrics.increment('lruMisses')
    if (!this.redis || !this.redisAvailable) return null

    let stored: string | null
    try {
      stored = await this.redis.get(fullKey)
    } catch (error) {
      this.markDown(error as Error)
      return null
    }
    this.markUp() // a cluster client has no new 'ready' after a failover: an answer is the sign
    if (stored === null) {
      this.metrics.increment('redisMisses')
      return null
    }
    const value = this.parse(key, stored)
    if (value === undefined) {
      this.metrics.increment('discarded')
      await this.redis.del(fullKey).catch(() => {})
      return null
    }
    this.metrics.increment('redisHits')
    this.lru.set(fullKey, stored)
    return value as CacheValue
  }

  public async set<CacheValue>(
    agentContext: AgentContext,
    key: string,
    value: CacheValue,
    expiresInSeconds = this.defaultTtlSeconds,
  ): Promise<void> {
    if (!isValidCachedValue(key, value)) return
    const fullKey = this.keyFor(agentContext, key)
    const serialized = JSON.stringify(value)
    this.lru.set(fullKey, serialized, { ttl: Math.min(this.lruTtlMillis, expiresInSeconds * 1000) })
    if (!this.redis || !this.redisAvailable) return
    try {
      await this.redis.set(fullKey, serialized, 'EX', Math.max(1, Math.round(expiresInSeconds)))
    } catch (error) {
      this.markDown(error as Error)
    }
  }

  public async remove(agentContext: AgentContext, key: string): Promise<void> {
    const fullKey = this.keyFor(agentContext, key)
    this.lru.delete(fullKey)
    if (!this.redis || !this.redisAvailable) return
    try {
      await this.redis.del(fullKey)
      await this.redis.publish(this.channel, fullKey)
    } catch (error) {
      this.markDown(error as Error)
    }
  }

  /** Whether this process's LRU holds the key (no Redis call, no metrics). */
  public hasLocal(agentContext: AgentContext, key: string): boolean {
    return this.lru.has(this.keyFor(agentContext, key))
  }

  /** Drops every entry of this process's LRU (Redis is untouched). */
  public clearLocal(): void {
    this.lru.clear()
  }

  public async close(): Promise<void> {
    this.closing = true
    this.subscriber?.disconnect()
    this.redis?.disconnect()
  }

  private parse(key: string, stored: string): unknown {
    try {
      const value: unknown = JSON.parse(stored)
      return isValidCachedValue(key, value) ? value : undefined
    } catch {
      return undefined
    }
  }

  private markDown(error: Error): void {
    if (this.closing) return
    this.metrics.increment('redisErrors')
    if (this.redisDown) return
    this.redisDown = true
    this.logger.warn('Redis unavailable: DID cache continues with the in-process LRU and direct resolution', {
      error: error.message,
    })
  }

  private markUp(): void {
    if (!this.redisDown) return
    this.redisDown = false
    this.logger.info('Redis available again: DID cache uses it again')
  }
}
