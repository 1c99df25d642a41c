import type { Database } from './database/Database.js'
import { PgliteDatabase } from './database/PgliteDatabase.js'
import { PostgresDatabase, type PostgresDatabaseOptions } from './database/PostgresDatabase.js'
import { ExpiredRecordCleaner, type ExpiredRecordCleanerOptions } from './ExpiredRecordCleaner.js'
import { migrate } from './migrations/migrate.js'
import { PostgresStorageService, type PostgresStorageServiceOptions } from './PostgresStorageService.js'

export interface OpenStorageOptions
  extends Pick<PostgresStorageServiceOptions, 'schema' | 'ttlSecondsByRecordType' | 'replicaReadRecordTypes'>,
    Omit<PostgresDatabaseOptions, 'connectionString' | 'replicaConnectionString'> {
  /** PostgreSQL URL of the role's least-privileged app role. Without it, embedded PGlite is used. */
  databaseUrl?: string
  /** URL of the schema owner, used only to migrate. Defaults to `databaseUrl`. */
  migrationDatabaseUrl?: string
  /** Read replica URL, for the record types in `replicaReadRecordTypes`. */
  replicaUrl?: string
  /** PGlite data directory when no `databaseUrl` is given; in memory when neither is set. */
  pgliteDataDir?: string
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean
  /** Told each migration applied on opening (file name, duration), for the service's log. */
  onMigrationApplied?: (migration: string, durationMillis: number) => void
  /** Start the expired-row cleaner with these settings, or `false` to run none in this process. */
  cleanup?: Omit<ExpiredRecordCleanerOptions, 'database' | 'schema'> | false
}

export interface OpenStorageReturn {
  database: Database
  storageService: PostgresStorageService
  cleaner?: ExpiredRecordCleaner
  /** Stops the cleaner and closes the database. */
  close(): Promise<void>
}

/** Opens a role's storage: connects (or starts PGlite), migrates, and starts the cleaner. */
export async function openStorage(options: OpenStorageOptions): Promise<OpenStorageReturn> {
  const { databaseUrl, migrationDatabaseUrl, replicaUrl, pgliteDataDir, schema } = options
  const database: Database = databaseUrl
    ? new PostgresDatabase({ ...options, connectionString: databaseUrl, replicaConnectionString: replicaUrl })
    : await PgliteDatabase.open({ dataDir: pgliteDataDir })

  try {
    if (options.migrate !== false) {
      if (databaseUrl && migrationDatabaseUrl && migrationDatabaseUrl !== databaseUrl) {
        const owner = new PostgresDatabase({ ...options, connectionString: migrationDatabaseUrl, maxConnections: 1 })
        await migrate(owner, { schema, onApplied: options.onMigrationApplied }).finally(() => owner.close())
      } else {
        await migrate(database, { schema, onApplied: options.onMigrationApplied })
      }
    }
  } catch (error) {
    await database.close()
    throw error
  }

  const storageService = new PostgresStorageService({ ...options, database })
  const cleaner =
    options.cleanup === false ? undefined : new ExpiredRecordCleaner({ ...options.cleanup, database, schema })
  cleaner?.start()

  return {
    database,
    storageService,
    cleaner,
    async close() {
      await cleaner?.stop()
      await database.close()
    },
  }
}
