import { createRedisClient, type RedisClient, type RedisTarget } from '@attesto/did-cache'
import type { Request, RequestHandler, Response } from 'express'
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible'
import type { EdgeConfig } from '../config/edgeConfig.js'
import { sendEdgeError } from './edgeError.js'

export type AddressBucket = 'token' | 'protocol'

export interface EdgeRateLimitsOptions {
  limits: EdgeConfig['rateLimits']
  /** With Redis every instance counts into the same buckets; without, each instance counts alone. */
  redis?: RedisTarget
  /** Key prefix in Redis (the runtime's `QUEUE_PREFIX`). */
  prefix: string
}

const WINDOW_SECONDS = 60

/**
 * The rate limits of the public edge (rate-limiter-flexible, docs/SECURITY.md): per client address
 * on the protocol endpoints (the token endpoint in a bucket of its own) and per tenant on the REST
 * API, each so many requests per rolling minute. With Redis the counters live in Redis (one
 * atomic INCR+PEXPIRE script on one key per counted request, so any cluster slot will do; none
 * for a key this instance already refused in the current window) and hold over every instance;
 * while Redis (or, on a cluster, the counter's primary during a failover) does not
 * answer, each instance counts in its own memory rather than letting everything through or
 * refusing everything. An answer over the limit is `429 too_many_requests` with `Retry-After`.
 */
export class EdgeRateLimits {
  private readonly redis?: RedisClient
  private readonly limiters: Record<AddressBucket | 'api', RateLimiterAbstract | undefined>

  public constructor(options: EdgeRateLimitsOptions) {
    const { limits } = options
    if (options.redis && Object.values(limits).some((points) => points > 0)) {
      this.redis = createRedisClient(options.redis, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: 500,
      })
      this.redis.on('error', () => {})
    }
    const limiter = (name: string, points: number): RateLimiterAbstract | undefined => {
      if (points <= 0) return undefined
      const memory = new RateLimiterMemory({ points, duration: WINDOW_SECONDS, keyPrefix: name })
      if (!this.redis) return memory
      return new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${options.prefix}:rate:${name}`,
        points,
        duration: WINDOW_SECONDS,
        rejectIfRedisNotReady: true,
        insuranceLimiter: memory,
        // Once a key is refused, this instance refuses it from memory until its window ends: a
        // flood costs Redis one round trip per instance, not one per request.
        inMemoryBlockOnConsumed: points + 1,
      })
    }
    this.limiters = {
      token: limiter('token', limits.tokenPerAddress),
      protocol: limiter('protocol', limits.protocolPerAddress),
      api: limiter('api', limits.apiPerTenant),
    }
  }

  /** Counts a request per client address (`request.ip`, read `TRUST_PROXY_HOPS` from the right of X-Forwarded-For). */
  public perAddress(bucket: AddressBucket): RequestHandler {
    return this.handler(this.limiters[bucket], (request) => request.ip ?? 'unknown', 'from this address')
  }

  /** Counts a REST request per tenant; mounted after tenant authentication (`response.locals.tenant`). */
  public perTenant(): RequestHandler {
    return this.handler(
      this.limiters.api,
      (_request, response) => (response.locals.tenant as { id: string } | undefined)?.id ?? 'unknown',
      'for this tenant',
    )
  }

  /** Whether the shared counters are reachable (false without Redis, or before its client is connected). */
  public get redisAvailable(): boolean {
    return this.redis?.status === 'ready'
  }

  public close(): void {
    this.redis?.disconnect()
  }

  private handler(
    limiter: RateLimiterAbstract | undefined,
    keyOf: (request: Request, response: Response) => string,
    who: string,
  ): RequestHandler {
    if (!limiter) return (_request, _response, next) => next()
    return async (request, response, next) => {
      try {
        await limiter.consume(keyOf(request, response))
      } catch (rejection) {
        // Anything but a refusal (the store failed and so did the insurance) lets the request through.
        if (!(rejection instanceof RateLimiterRes)) return next()
        const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000))
        response.set('Retry-After', String(retryAfter))
        return sendEdgeError(
          request,
          response,
          429,
          'too_many_requests',
          `Too many requests ${who}; retry in ${retryAfter} s`,
          { retry_after: retryAfter },
        )
      }
      next()
    }
  }
}
