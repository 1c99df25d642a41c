// Test helpers other packages use: PostgreSQL servers of a test's own, and PgBouncer before them.

export {
  CLUSTER_WIDE_MARK,
  type StatementCensus,
  statementCensus,
  tablesWithoutTenant,
  uniqueKeysWithoutTenant,
} from './citusReadiness.js'
export { PgBouncer, pgBouncerInstalled } from './PgBouncer.js'
export { freePort, PostgresServer, postgresServerInstalled, runAsPostgres } from './PostgresCluster.js'
export { urlWithUser } from './testStorage.js'
