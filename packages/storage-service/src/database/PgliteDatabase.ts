import { mkdirSync } from 'node:fs'
import { PGlite, type Transaction } from '@electric-sql/pglite'
import { StorageServiceError } from '../StorageServiceError.js'
import type { Database, SqlResult, SqlSession } from './Database.js'
import { TENANT_SETTING } from './Database.js'
import { mapDatabaseError } from './mapDatabaseError.js'

export interface PgliteDatabaseOptions {
  /** Directory for the database files. Without one, the database lives in memory. */
  dataDir?: string
}

function sessionOf(executor: PGlite | Transaction): SqlSession {
  return {
    async query<Row>(text: string, values?: unknown[]): Promise<SqlResult<Row>> {
      const result = await executor.query<Row>(text, values)
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length }
    },
    async exec(script: string): Promise<void> {
      await executor.exec(script)
    },
  }
}

/**
 * Embedded PostgreSQL (PGlite) running the same SQL in-process: the default when no database
 * URL is configured. PGlite has one session, so every tenant-scoped call runs in its own
 * transaction with a transaction-local tenant setting, and calls are serialised.
 */
export class PgliteDatabase implements Database {
  public readonly engine = 'pglite' as const

  private constructor(private readonly pglite: PGlite) {}

  public static async open(options: PgliteDatabaseOptions = {}): Promise<PgliteDatabase> {
    if (options.dataDir) {
      try {
        mkdirSync(options.dataDir, { recursive: true })
      } catch (error) {
        throw new StorageServiceError(
          `The embedded storage directory ${options.dataDir} cannot be created (${(error as NodeJS.ErrnoException).code}): ` +
            'set DATABASE_URL to use PostgreSQL, or PGLITE_DATA_DIR to a writable directory',
          { cause: error as Error },
        )
      }
    }
    try {
      const pglite = await PGlite.create(options.dataDir ?? 'memory://')
      return new PgliteDatabase(pglite)
    } catch (error) {
      throw mapDatabaseError(error)
    }
  }

  public async withTenant<T>(tenantId: string, callback: (session: SqlSession) => Promise<T>): Promise<T> {
    try {
      return await this.pglite.transaction(async (tx) => {
        await tx.query('SELECT set_config($1, $2, true)', [TENANT_SETTING, tenantId])
        return callback(sessionOf(tx))
      })
    } catch (error) {
      throw mapDatabaseError(error)
    }
  }

  public async withAdminTransaction<T>(callback: (session: SqlSession) => Promise<T>): Promise<T> {
    try {
      return await this.pglite.transaction((tx) => callback(sessionOf(tx)))
    } catch (error) {
      throw mapDatabaseError(error)
    }
  }

  public async query<Row>(text: string, values?: unknown[]): Promise<SqlResult<Row>> {
    try {
      return await sessionOf(this.pglite).query<Row>(text, values)
    } catch (error) {
      throw mapDatabaseError(error)
    }
  }

  public async close(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close()
  }
}
