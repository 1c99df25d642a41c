import { once } from 'node:events'
import { Redis } from 'ioredis'
import { type ProofReplayStore, ReplayStoreUnavailableError } from './ProofReplayStore.js'

const CONNECT_WAIT_MILLIS = 1000

/**
 * Seen proofs in Redis, shared by every instance: one `SET key 1 NX EX ttl` per proof, which
 * answers whether it was first and expires on its own (storage bounded by the proofs of one
 * window). The connection follows the edge rate limits' policy: no offline queue, no retries, a
 * 500 ms command timeout, so a Redis outage costs a fast 503 `temporarily_unavailable`, never a
 * replay let through and never a hung request.
 */
export class RedisProofReplayStore implements ProofReplayStore {
  private readonly redis: Redis

  public constructor(
    redisUrl: string,
    /** Key prefix (the runtime's `QUEUE_PREFIX`). */
    private readonly prefix: string,
  ) {
    this.redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 500 })
    this.redis.on('error', () => {})
  }

  /** Waits (at most `CONNECT_WAIT_MILLIS`) for a connection still being made: without an offline queue a command would fail at once. */
  private async connected(): Promise<void> {
    if (this.redis.status === 'ready') return
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      once(this.redis, 'ready'),
      new Promise((resolve) => {
        timer = setTimeout(resolve, CONNECT_WAIT_MILLIS)
      }),
    ]).finally(() => clearTimeout(timer))
  }

  public async firstUse(key: string, ttlSeconds: number): Promise<boolean> {
    try {
      await this.connected()
      const answer = await this.redis.set(`${this.prefix}:proof-replay:${key}`, '1', 'EX', ttlSeconds, 'NX')
      return answer === 'OK'
    } catch (error) {
      throw new ReplayStoreUnavailableError('Redis did not answer the replay check', { cause: error })
    }
  }

  public close(): void {
    this.redis.disconnect()
  }
}
