import { once } from 'node:events'
import { createRedisClient, type RedisClient, type RedisTarget } from '@attesto/did-cache'
import { MemoryProofReplayStore } from './MemoryProofReplayStore.js'
import type { ProofReplayStore } from './ProofReplayStore.js'

/** How long the first proofs after start wait for the connection being made (never during an outage). */
const CONNECT_WAIT_MILLIS = 1000

/**
 * Seen proofs in Redis, shared by every instance: one `SET key 1 NX EX ttl` per proof, which
 * answers whether it was first and expires on its own (storage bounded by the proofs of one
 * window). The connection follows the edge rate limits' policy: no offline queue, no retries, a
 * 500 ms command timeout, and, while Redis does not answer, an in-process store as insurance:
 * issuance goes on through a Redis outage (as the queues' events and the rate limits do), with
 * replays caught on each instance but not across instances until Redis is back (docs/SECURITY.md).
 */
export class RedisProofReplayStore implements ProofReplayStore {
  private readonly redis: RedisClient
  private ready = false
  private outage = false

  public constructor(
    redis: RedisTarget,
    /** Key prefix (the runtime's `QUEUE_PREFIX`). */
    private readonly prefix: string,
    private readonly insurance: ProofReplayStore = new MemoryProofReplayStore(),
    /** Told once per outage, when the insurance takes over. */
    private readonly onOutage: (error: unknown) => void = () => {},
  ) {
    this.redis = createRedisClient(redis, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 500 })
    this.redis.on('error', () => {})
    this.redis.on('ready', () => {
      this.ready = true
    })
  }

  /** Before the first connection only: waits (at most `CONNECT_WAIT_MILLIS`) for it, as a command would fail at once without an offline queue. */
  private async firstConnection(): Promise<void> {
    if (this.ready || this.redis.status === 'ready') return
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      once(this.redis, 'ready').catch(() => undefined),
      new Promise((resolve) => {
        timer = setTimeout(resolve, CONNECT_WAIT_MILLIS)
      }),
    ]).finally(() => clearTimeout(timer))
    this.ready = true // waited once: from now on an unanswered command is an outage
  }

  public async firstUse(key: string, ttlSeconds: number): Promise<boolean> {
    await this.firstConnection()
    try {
      const answer = await this.redis.set(`${this.prefix}:proof-replay:${key}`, '1', 'EX', ttlSeconds, 'NX')
      this.outage = false
      return answer === 'OK'
    } catch (error) {
      if (!this.outage) this.onOutage(error)
      this.outage = true
      return this.insurance.firstUse(key, ttlSeconds)
    }
  }

  public close(): void {
    this.redis.disconnect()
    this.insurance.close()
  }
}
