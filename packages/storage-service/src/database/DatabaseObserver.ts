/** What a database's unit of work was: a tenant-bound session, an admin transaction, or one statement. */
export type DatabaseWorkKind = 'tenant' | 'admin' | 'query'

/**
 * Receives the duration of every unit of work of a {@link PostgresDatabase} (connection checkout
 * included), so a metrics endpoint can report query latency without this package depending on a
 * metrics library. Called synchronously on the hot path: keep it cheap and never throw.
 */
export interface DatabaseObserver {
  onWork(kind: DatabaseWorkKind, durationMillis: number, failed: boolean): void
  /** A lag-tolerant read ran on the primary because the read replica is unavailable. */
  onReplicaFallback?(): void
  /** The read replica left service (`available` false, with the error) or came back. */
  onReplicaAvailability?(available: boolean, error?: Error): void
}

/** A connection pool's use at one moment (`pg.Pool` counters). */
export interface PoolUsage {
  pool: 'primary' | 'replica'
  /** Connections open (idle and checked out). */
  total: number
  idle: number
  /** Callers waiting for a connection. */
  waiting: number
  max: number
}
