import { setTimeout as sleep } from 'node:timers/promises'
import { grantAppRole, migrate, PostgresDatabase, StorageUnavailableError } from '@attesto/storage-service'
import { JsonLogger, logLevelFromName } from './logging/JsonLogger.js'
import { loadRuntimeConfigOrExit } from './runService.js'

/** How long `migrate` waits for a database that is still starting (compose, init containers). */
const WAIT_FOR_DATABASE_MILLIS = 60_000

/**
 * A service's one-shot `migrate` command (`attesto-issuer migrate`, `attesto-verifier migrate`):
 * as the schema owner (DATABASE_MIGRATION_URL, else DATABASE_URL) it applies the role's pending
 * migrations, then grants the app role of DATABASE_URL least privilege on the schema (creating
 * that role without a password if it does not exist). Run it before the services start (a
 * compose service, a Kubernetes Job or init container), so that they run as the app role only.
 * Exits 0 when done, 1 on any failure.
 */
export async function runMigration(
  role: 'issuer' | 'verifier',
  env: Record<string, string | undefined>,
): Promise<void> {
  const config = loadRuntimeConfigOrExit(role, env)
  const logger = new JsonLogger(logLevelFromName(config.logLevel), `${role}-migrate`)
  const { databaseUrl, migrationDatabaseUrl, schema } = config.storage
  const ownerUrl = migrationDatabaseUrl ?? databaseUrl
  if (!ownerUrl) {
    console.error('Invalid configuration:\n  DATABASE_MIGRATION_URL: required by migrate (or DATABASE_URL)')
    process.exit(1)
  }
  const owner = new PostgresDatabase({ connectionString: ownerUrl, maxConnections: 1, statementTimeoutMillis: 600_000 })
  try {
    const deadline = Date.now() + WAIT_FOR_DATABASE_MILLIS
    let applied: string[] | undefined
    while (!applied) {
      try {
        applied = (
          await migrate(owner, {
            schema,
            onApplied: (migration, durationMillis) =>
              logger.info('Applied migration', {
                schema,
                migration,
                durationMs: Math.round(durationMillis),
              }),
          })
        ).applied
      } catch (error) {
        if (!(error instanceof StorageUnavailableError) || Date.now() > deadline) throw error
        logger.warn('Database not reachable yet; retrying', { error: error.message })
        await sleep(2_000)
      }
    }
    logger.info(applied.length ? 'Migrated' : 'Schema up to date', { schema, applied })

    const appRole = databaseUrl ? decodeURIComponent(new URL(databaseUrl).username) : ''
    if (appRole && appRole !== decodeURIComponent(new URL(ownerUrl).username)) {
      const { rows } = await owner.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [appRole])
      await grantAppRole(owner, { schema, role: appRole, create: rows.length === 0 })
      logger.info('Granted the app role least privilege', { schema, role: appRole })
    }
  } catch (error) {
    logger.error('Migration failed', { error: (error as Error).message })
    process.exitCode = 1
  } finally {
    await owner.close()
  }
}
