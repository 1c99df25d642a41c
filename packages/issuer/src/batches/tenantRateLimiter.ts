import type { RedisClient } from '@attesto/did-cache'

/**
 * At most `perSecond` operations per tenant per second over every worker: a counter per tenant
 * and second in Redis. `take` waits for the next second when this one is used up.
 */
export class TenantRateLimiter {
  public constructor(
    private readonly redis: RedisClient,
    private readonly perSecond: number,
    private readonly prefix: string,
  ) {}

  public async take(tenantId: string): Promise<void> {
    if (this.perSecond <= 0) return
    for (;;) {
      const second = Math.floor(Date.now() / 1000)
      const key = `${this.prefix}:rate:${tenantId}:${second}`
      const [[, count]] = (await this.redis.multi().incr(key).expire(key, 2).exec()) as [[Error | null, number]]
      if (count <= this.perSecond) return
      await new Promise((resolve) => setTimeout(resolve, (second + 1) * 1000 - Date.now() + 1))
    }
  }
}
