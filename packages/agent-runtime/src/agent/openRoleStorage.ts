import { type OpenStorageReturn, openStorage } from '@attesto/storage-service'
import type { Logger } from '@credo-ts/core'
import type { RuntimeConfig } from '../config/runtimeConfig.js'
import type { RuntimeMetrics } from '../metrics/RuntimeMetrics.js'

/**
 * The role's storage: PostgreSQL, or embedded PGlite (with a warning that it is one instance on
 * one disk) when no database URL is configured; migrated, with the record lifetimes of the
 * runtime and of the role, and expired records cleaned up.
 */
export async function openRoleStorage(
  config: RuntimeConfig,
  logger: Logger,
  metrics: RuntimeMetrics | undefined,
  recordTtlSeconds: Record<string, number> = {},
): Promise<OpenStorageReturn> {
  if (!config.storage.databaseUrl) {
    logger.warn(
      'Embedded storage (PGlite): one instance, on this disk only. Production needs PostgreSQL (DATABASE_URL).',
      { directory: config.storage.pgliteDataDir },
    )
  }
  return openStorage({
    ...config.storage,
    observer: {
      onWork: (kind, durationMillis, failed) => metrics?.databaseObserver.onWork(kind, durationMillis, failed),
      onReplicaFallback: () => metrics?.databaseObserver.onReplicaFallback?.(),
      onReplicaAvailability: (available, error) => {
        metrics?.databaseObserver.onReplicaAvailability?.(available, error)
        if (available) logger.info('Read replica back in service: list reads go to it again')
        else logger.warn('Read replica unavailable: list reads go to the primary', { error })
      },
    },
    onMigrationApplied: (migration, durationMillis) =>
      logger.info('Applied migration', {
        schema: config.storage.schema,
        migration,
        durationMs: Math.round(durationMillis),
      }),
    // Idempotency keys are honoured for a day, as most payment and issuance APIs do.
    ttlSecondsByRecordType: { AttestoIdempotencyRecord: 24 * 60 * 60, ...recordTtlSeconds },
    cleanup: { onError: (error) => logger.error('Expired-record cleanup failed', { error }) },
  })
}
