import type { Database } from './database/Database.js'
import { schemaIdentifier } from './migrations/schemaIdentifier.js'

export interface ExpiredRecordCleanerOptions {
  database: Database
  /** The role's schema. */
  schema: string
  /** Pause between runs (default 60,000 ms). */
  intervalMillis?: number
  /** Rows deleted per statement (default 1,000): each batch is its own short transaction. */
  batchSize?: number
  /** Upper bound of batches per run, so one run never monopolises the database (default 100). */
  maxBatchesPerRun?: number
  /** Called when a run fails; the next run is still scheduled. */
  onError?: (error: Error) => void
}

export interface CleanupRunReturn {
  deleted: number
  batches: number
}

/**
 * Deletes expired rows in bounded batches. Each batch is one statement that locks at most
 * `batchSize` rows and skips rows another instance is already deleting, so cleaners on many
 * instances share the work without waiting on each other. Expired rows are already invisible
 * to reads, so a cleaner that runs late is only a matter of disk space.
 */
export class ExpiredRecordCleaner {
  private readonly database: Database
  private readonly purgeSql: string
  private readonly intervalMillis: number
  private readonly batchSize: number
  private readonly maxBatchesPerRun: number
  private readonly onError?: (error: Error) => void
  private timer?: NodeJS.Timeout
  private running?: Promise<unknown>
  private stopped = true

  public constructor(options: ExpiredRecordCleanerOptions) {
    this.database = options.database
    // Marked: the one statement that reaches every tenant (a Citus cluster runs it on every shard).
    this.purgeSql = `/* cluster-wide */ SELECT ${schemaIdentifier(options.schema)}.purge_expired_records($1) AS deleted`
    this.intervalMillis = options.intervalMillis ?? 60_000
    this.batchSize = options.batchSize ?? 1_000
    this.maxBatchesPerRun = options.maxBatchesPerRun ?? 100
    this.onError = options.onError
  }

  /** Runs batches until fewer than `batchSize` rows were deleted or the batch bound is hit. */
  public async runOnce(): Promise<CleanupRunReturn> {
    let deleted = 0
    let batches = 0
    while (batches < this.maxBatchesPerRun) {
      const { rows } = await this.database.query<{ deleted: number }>(this.purgeSql, [this.batchSize])
      const count = rows[0]?.deleted ?? 0
      deleted += count
      batches += 1
      if (count < this.batchSize) break
    }
    return { deleted, batches }
  }

  /** Starts periodic runs. The timer does not keep the process alive. */
  public start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.schedule()
  }

  /** Stops scheduling and waits for a run in progress to finish. */
  public async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.running
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((error: unknown) => this.onError?.(error as Error))
        .finally(() => {
          if (!this.stopped) this.schedule()
        })
    }, this.intervalMillis)
    this.timer.unref()
  }
}
