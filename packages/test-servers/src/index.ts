// The servers and processes tests start: PostgreSQL clusters and PgBouncer, Redis servers and
// clusters, the Vault transit and AWS KMS test servers, SoftHSM2 tokens, a service as its own
// process and a round-robin proxy before several. No @attesto package is imported here, so every
// package's tests may use it, the lowest ones included.

export { AwsKmsTestServer } from './AwsKmsTestServer.js'
export {
  CLUSTER_WIDE_MARK,
  type StatementCensus,
  statementCensus,
  tablesWithoutTenant,
  uniqueKeysWithoutTenant,
} from './citusReadiness.js'
export { closeNow, listenOnLoopback, loopbackUrl } from './loopback.js'
export { type Account, OPENID_PROVIDER_SERVER, type ProviderClient } from './openIdProvider.js'
export { PgBouncer, type PgBouncerOptions, pgBouncerInstalled } from './PgBouncer.js'
export {
  DATABASE_URL,
  ownedTempDir,
  PostgresServer,
  type PostgresServerOptions,
  postgresServerInstalled,
  runAsPostgres,
  type StorageMigrations,
  urlWithUser,
} from './PostgresCluster.js'
export { describeWithRedisCluster, OwnRedisCluster, redisClusterToolsInstalled } from './redisCluster.js'
export { deleteKeys, freePort, OwnRedisServer, REDIS_URL } from './redisServer.js'
export { RoundRobinProxy } from './roundRobinProxy.js'
export { type ServiceKms, serviceKms } from './serviceKms.js'
export { restCaller, ServiceProcess } from './serviceProcess.js'
export * from './softHsm.js'
export { VaultTransitTestServer, type VaultTransitTestServerOptions } from './VaultTransitTestServer.js'
