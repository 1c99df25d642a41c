import { type ProofReplayStore, ReplayStoreUnavailableError } from './ProofReplayStore.js'

/**
 * Seen proofs in this process, for the embedded single-instance default (no `REDIS_URL`): a map
 * in insertion order, so the oldest entries are the first to expire and are swept from the front.
 * Bounded: at `maxEntries` live entries a new proof is refused (503) rather than an unexpired one
 * forgotten, which would let its replay through. Another instance does not see these entries:
 * run several instances only with Redis (docs/SECURITY.md).
 */
export class MemoryProofReplayStore implements ProofReplayStore {
  private readonly seen = new Map<string, number>()

  public constructor(private readonly maxEntries = 100_000) {}

  public async firstUse(key: string, ttlSeconds: number): Promise<boolean> {
    const now = Date.now()
    const until = this.seen.get(key)
    if (until !== undefined && until > now) return false
    this.sweep(now)
    if (this.seen.size >= this.maxEntries) {
      throw new ReplayStoreUnavailableError(`More than ${this.maxEntries} proofs are live in this process`)
    }
    this.seen.delete(key)
    this.seen.set(key, now + ttlSeconds * 1000)
    return true
  }

  /** Drops expired entries from the front (all entries share one TTL per kind, so order is nearly expiry order). */
  private sweep(now: number) {
    for (const [key, until] of this.seen) {
      if (until > now) break
      this.seen.delete(key)
    }
  }

  public close(): void {
    this.seen.clear()
  }
}
