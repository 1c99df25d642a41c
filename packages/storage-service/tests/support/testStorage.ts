import { randomBytes } from 'node:crypto'
import { urlWithUser } from '@attesto/test-servers'
import { AgentContext, DependencyManager } from '@credo-ts/core'
import type { Database } from '../../src/database/Database.js'
import { PgliteDatabase } from '../../src/database/PgliteDatabase.js'
import { PostgresDatabase } from '../../src/database/PostgresDatabase.js'
import { grantAppRole } from '../../src/migrations/grantAppRole.js'
import { migrate } from '../../src/migrations/migrate.js'
import { PostgresStorageService, type PostgresStorageServiceOptions } from '../../src/PostgresStorageService.js'
import type { TestRecord } from './TestRecord.js'

export { urlWithUser } from '@attesto/test-servers'

/** The real PostgreSQL the tests run against (trust auth on 127.0.0.1 in development and CI). */
export const POSTGRES_ADMIN_URL = process.env.ATTESTO_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/** The least-privileged role the service connects as in the PostgreSQL tests. */
export const APP_ROLE = 'attesto_test_app'

export interface TestStorage {
  engine: 'postgres' | 'pglite'
  schema: string
  /** The database the service uses (the app role on PostgreSQL). */
  database: Database
  /** A superuser connection to the same database, for inspecting and ageing rows. */
  admin: Database
  storageService: PostgresStorageService<TestRecord>
  dispose(): Promise<void>
}

export type TestStorageFactory = (
  options?: Omit<PostgresStorageServiceOptions, 'database' | 'schema'>,
) => Promise<TestStorage>

export function uniqueSchema(): string {
  return `t_${randomBytes(6).toString('hex')}`
}

/**
 * A fresh schema on the real PostgreSQL, migrated by the superuser; the service connects as
 * the least-privileged app role, so row-level security binds it.
 */
export const createPostgresTestStorage: TestStorageFactory = async (options) => {
  const schema = uniqueSchema()
  const admin = new PostgresDatabase({ connectionString: POSTGRES_ADMIN_URL, maxConnections: 4 })
  await migrate(admin, { schema })
  await grantAppRole(admin, { schema, role: APP_ROLE })
  const database = new PostgresDatabase({
    connectionString: urlWithUser(POSTGRES_ADMIN_URL, APP_ROLE),
    maxConnections: 8,
    applicationName: `attesto-test-${schema}`,
  })
  return {
    engine: 'postgres',
    schema,
    database,
    admin,
    storageService: new PostgresStorageService({ ...options, database, schema }),
    async dispose() {
      await database.close()
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`)
      await admin.close()
    },
  }
}

/** A fresh in-memory PGlite, migrated: the embedded default. */
export const createPgliteTestStorage: TestStorageFactory = async (options) => {
  const schema = uniqueSchema()
  const database = await PgliteDatabase.open()
  await migrate(database, { schema })
  return {
    engine: 'pglite',
    schema,
    database,
    admin: database,
    storageService: new PostgresStorageService({ ...options, database, schema }),
    dispose: () => database.close(),
  }
}

export function tenantContext(tenantId: string): AgentContext {
  return new AgentContext({ dependencyManager: new DependencyManager(), contextCorrelationId: tenantId })
}
