import { Redis } from 'ioredis'
import { ProtocolError } from './ProtocolError.js'

export interface AddressRateLimiterOptions {
  /** Requests per minute per client address; 0 turns the limit off. */
  perMinute: number
  /** With Redis the count holds over every instance; without, per instance. */
  redisUrl?: string
  /** Key prefix in Redis (the runtime's `QUEUE_PREFIX` and the endpoint's name). */
  prefix: string
}

/**
 * A fixed-window counter per client address and minute: in Redis (one INCR per request, shared by
 * every instance) or in process. While Redis does not answer, this instance counts by itself
 * rather than letting everything through or refusing everything.
 */
export class AddressRateLimiter {
  private readonly redis?: Redis
  private readonly local = new Map<string, number>()
  private localWindow = 0

  public constructor(private readonly options: AddressRateLimiterOptions) {
    if (options.redisUrl && options.perMinute > 0) {
      this.redis = new Redis(options.redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: 500,
        lazyConnect: false,
      })
      this.redis.on('error', () => {})
    }
  }

  /** Counts one request from `address`; throws `429 slow_down`-style errors over the limit. */
  public async take(address: string | undefined): Promise<void> {
    if (this.options.perMinute <= 0) return
    const window = Math.floor(Date.now() / 60_000)
    const key = `${this.options.prefix}:${window}:${address ?? 'unknown'}`
    let count: number
    try {
      if (!this.redis) throw new Error('no redis')
      const [[, value]] = (await this.redis.multi().incr(key).expire(key, 120).exec()) as [[Error | null, number]]
      count = value
    } catch {
      if (window !== this.localWindow) {
        this.local.clear()
        this.localWindow = window
      }
      count = (this.local.get(key) ?? 0) + 1
      this.local.set(key, count)
    }
    if (count > this.options.perMinute) {
      const retryAfter = 60 - (Math.floor(Date.now() / 1000) % 60)
      throw new ProtocolError(
        429,
        'too_many_requests',
        `Too many requests from this address; retry in ${retryAfter} s`,
        {
          retry_after: retryAfter,
        },
      )
    }
  }

  public close(): void {
    this.redis?.disconnect()
  }
}
