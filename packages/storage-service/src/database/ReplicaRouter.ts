import type { DatabaseObserver } from './DatabaseObserver.js'

/**
 * Whether reads that tolerate lag go to the read replica right now. When the replica fails (it is
 * down, or unreachable), reads go to the primary for `retryMillis`; then the next read tries the
 * replica again, and a success puts it back in service. Each change is told to the observer once
 * (for a log line), and each read the primary serves in the replica's place is counted.
 */
export class ReplicaRouter {
  private downUntil = 0
  private down = false

  public constructor(
    private readonly retryMillis: number,
    private readonly observer?: DatabaseObserver,
  ) {}

  /** True when the next lag-tolerant read should try the replica. */
  public useReplica(): boolean {
    if (!this.down || Date.now() >= this.downUntil) return true
    this.observer?.onReplicaFallback?.()
    return false
  }

  /** A read on the replica succeeded: back in service if it was out. */
  public succeeded(): void {
    if (!this.down) return
    this.down = false
    this.observer?.onReplicaAvailability?.(true)
  }

  /** A read on the replica failed as unavailable: reads go to the primary for a while (this one too). */
  public failed(error: Error): void {
    this.downUntil = Date.now() + this.retryMillis
    this.observer?.onReplicaFallback?.()
    if (this.down) return
    this.down = true
    this.observer?.onReplicaAvailability?.(false, error)
  }
}
