export type { Database, SqlResult, SqlSession, WithTenantOptions } from './database/Database.js'
export { TENANT_SETTING } from './database/Database.js'
export type { DatabaseObserver, DatabaseWorkKind, PoolUsage } from './database/DatabaseObserver.js'
export { isUnavailableError, isUniqueViolation, mapDatabaseError } from './database/mapDatabaseError.js'
export { PgliteDatabase, type PgliteDatabaseOptions } from './database/PgliteDatabase.js'
export { PostgresDatabase, type PostgresDatabaseOptions } from './database/PostgresDatabase.js'
export {
  type CleanupRunReturn,
  ExpiredRecordCleaner,
  type ExpiredRecordCleanerOptions,
} from './ExpiredRecordCleaner.js'
export { type GrantAppRoleOptions, grantAppRole } from './migrations/grantAppRole.js'
export { MIGRATIONS_DIR, type MigrateOptions, type MigrateReturn, migrate } from './migrations/migrate.js'
export { type OpenStorageOptions, type OpenStorageReturn, openStorage } from './openStorage.js'
export { PostgresStorageModule } from './PostgresStorageModule.js'
export { PostgresStorageService, type PostgresStorageServiceOptions } from './PostgresStorageService.js'
export { queryToSql, storedTags } from './query/queryToSql.js'
export {
  CURSOR_MICROS_PATTERN,
  type RecordPageCursor,
  type RecordPageItem,
  type RecordPageOptions,
  type RecordPageReturn,
  RecordPages,
  type SqlParameter,
} from './RecordPages.js'
export { DEFAULT_TTL_SECONDS_BY_RECORD_TYPE } from './recordTtl.js'
export type { RelatedRows } from './relatedRows.js'
export { type SessionSelection, SessionStore } from './SessionStore.js'
export { StorageQueryError, StorageServiceError, StorageUnavailableError } from './StorageServiceError.js'
export {
  expiryMillis,
  SESSION_EXPIRED,
  SESSION_NOT_EXPIRED,
  type StoredExpiry,
} from './sessionExpiry.js'
export type { CompanionRow, CounterBump, SessionRowInput } from './sessionStatements.js'
