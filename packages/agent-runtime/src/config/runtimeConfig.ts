import { describeRedisTarget, type RedisTarget } from '@attesto/did-cache'
import {
  type ConfigSection,
  configSection,
  type Environment,
  type EnvironmentValues,
  readConfig,
  variablesOf,
} from './configSection.js'
import { EDGE_VARIABLES, type EdgeConfig, edgeConfigFrom } from './edgeConfig.js'
import { KMS_VARIABLES, type KmsConfig, kmsConfigFrom, kmsConfigProblems } from './kmsVariables.js'
import { OBSERVABILITY_SECTION, type ObservabilityConfig } from './observabilityConfig.js'
import { RuntimeConfigError } from './RuntimeConfigError.js'
import { REDIS_VARIABLES, redisConfigProblem, redisTargetFrom } from './redisConfig.js'
import { SERVICE_VARIABLES, WEBHOOK_VARIABLES } from './runtimeVariables.js'
import { STORAGE_VARIABLES } from './storageVariables.js'

/**
 * Every variable the runtime reads, validated at boot, declared by concern: the service itself,
 * storage, KMS, Redis, webhooks and the public edge. Secrets (tokens, keys) are kept in the config
 * object but never logged (see `describeConfig`). Observability is its own section.
 */
const RUNTIME_VARIABLES = {
  ...SERVICE_VARIABLES,
  ...STORAGE_VARIABLES,
  ...KMS_VARIABLES,
  ...REDIS_VARIABLES,
  ...WEBHOOK_VARIABLES,
  ...EDGE_VARIABLES,
}

export type RuntimeEnvironment = EnvironmentValues<typeof RUNTIME_VARIABLES>

export interface RuntimeConfig {
  role: 'issuer' | 'verifier'
  port: number
  publicBaseUrl: string
  logLevel: RuntimeEnvironment['LOG_LEVEL']
  shutdownTimeoutMillis: number
  adminApiKey?: string
  /** Every accepted admin key: `ADMIN_API_KEY` and `ADMIN_API_KEYS` (during a rotation, old and new). */
  adminApiKeys: string[]
  /** How long an instance reuses a tenant record to check API keys (a revoked key is refused everywhere after it). */
  apiKeyCacheSeconds: number
  storage: {
    databaseUrl?: string
    migrationDatabaseUrl?: string
    replicaUrl?: string
    schema: string
    maxConnections: number
    statementTimeoutMillis: number
    transactionPooling: boolean
    replicaRetryMillis: number
    applicationName: string
    pgliteDataDir: string
  }
  kms: KmsConfig
  /** Redis of the queues, the DID cache and the shared rate limits: `REDIS_URL` or `REDIS_CLUSTER_NODES`. */
  redis?: RedisTarget
  /** Issuer: lifetime of OID4VCI access tokens (wallets with a refresh token get a new one). */
  accessTokenTtlSeconds: number
  /** Key prefix of the queues in Redis. */
  queuePrefix: string
  webhooks: WebhookConfig
  /** A keyed create call still pending after this long is taken to have died, and a retry takes over. */
  idempotencyTakeoverSeconds: number
  /** Listening address, proxies, CORS and rate limits (docs/SECURITY.md). */
  edge: EdgeConfig
  /** Metrics and the access log (docs/OBSERVABILITY.md). */
  observability: ObservabilityConfig
}

/** Webhook deliveries (docs/WEBHOOKS.md). */
export interface WebhookConfig {
  /** Tries of a delivery before it goes to the dead-letter list. */
  attempts: number
  /** First retry delay; doubles with each retry, with 50 % jitter. */
  backoffMillis: number
  /** The whole delivery (connect, send, read the answer), not the silence between bytes. */
  timeoutMillis: number
  /** Deliveries one process makes at once. */
  concurrency: number
  /** Deliveries of one tenant one process makes at once (so slow endpoints hold back their tenant only). */
  concurrencyPerTenant: number
  /** Webhooks one tenant may register. */
  maxPerTenant: number
  /** Allow http:// and loopback endpoints (development and tests only). */
  allowInsecure: boolean
}

function runtimeConfigProblems(e: RuntimeEnvironment) {
  const problems = kmsConfigProblems(e)
  if (e.DATABASE_MIGRATION_URL && !e.DATABASE_URL) {
    problems.push({ variable: 'DATABASE_URL', message: 'required when DATABASE_MIGRATION_URL is set' })
  }
  const redisProblem = redisConfigProblem(e)
  if (redisProblem) problems.push(redisProblem)
  return problems
}

function runtimeConfigFrom(e: RuntimeEnvironment): Omit<RuntimeConfig, 'observability'> {
  return {
    role: e.ROLE,
    port: e.PORT,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/$/, ''),
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMillis: e.SHUTDOWN_TIMEOUT_MILLIS,
    adminApiKey: e.ADMIN_API_KEY ?? e.ADMIN_API_KEYS[0],
    adminApiKeys: [...new Set([...(e.ADMIN_API_KEY ? [e.ADMIN_API_KEY] : []), ...e.ADMIN_API_KEYS])],
    apiKeyCacheSeconds: e.API_KEY_CACHE_SECONDS,
    storage: {
      databaseUrl: e.DATABASE_URL,
      migrationDatabaseUrl: e.DATABASE_MIGRATION_URL,
      replicaUrl: e.DATABASE_REPLICA_URL,
      schema: e.DATABASE_SCHEMA ?? e.ROLE,
      maxConnections: e.DATABASE_POOL_SIZE,
      statementTimeoutMillis: e.DATABASE_STATEMENT_TIMEOUT_MILLIS,
      transactionPooling: e.DATABASE_TRANSACTION_POOLING === 'true',
      // pg_stat_activity tells the roles apart (the replica pool adds `:replica`).
      applicationName: `attesto-${e.ROLE}`,
      replicaRetryMillis: e.DATABASE_REPLICA_RETRY_MILLIS,
      pgliteDataDir: `${e.PGLITE_DATA_DIR}/${e.ROLE}`,
    },
    kms: kmsConfigFrom(e),
    redis: redisTargetFrom(e),
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    queuePrefix: e.QUEUE_PREFIX,
    webhooks: {
      attempts: e.WEBHOOK_ATTEMPTS,
      backoffMillis: e.WEBHOOK_BACKOFF_MILLIS,
      timeoutMillis: e.WEBHOOK_TIMEOUT_MILLIS,
      concurrency: e.WEBHOOK_CONCURRENCY,
      concurrencyPerTenant: e.WEBHOOK_CONCURRENCY_PER_TENANT,
      maxPerTenant: e.WEBHOOK_MAX_PER_TENANT,
      allowInsecure: e.WEBHOOK_ALLOW_INSECURE === 'true',
    },
    idempotencyTakeoverSeconds: e.IDEMPOTENCY_TAKEOVER_SECONDS,
    edge: edgeConfigFrom(e),
  }
}

const SERVICE_SECTION = configSection({
  variables: RUNTIME_VARIABLES,
  check: runtimeConfigProblems,
  from: runtimeConfigFrom,
})

/**
 * The runtime's part of every service's configuration: the service section and observability,
 * assembled into one {@link RuntimeConfig}. Issuer and verifier add their own sections
 * (`runService`'s `sections`).
 */
export const RUNTIME_SECTION: ConfigSection<
  typeof RUNTIME_VARIABLES & typeof OBSERVABILITY_SECTION.variables,
  RuntimeConfig
> = configSection({
  variables: { ...RUNTIME_VARIABLES, ...OBSERVABILITY_SECTION.variables },
  check: runtimeConfigProblems,
  from: (e) => ({ ...SERVICE_SECTION.from(e), observability: OBSERVABILITY_SECTION.from(e) }),
})

/** Names of the runtime's variables that may come from `<NAME>_FILE` (its secrets, but the local master key). */
export const SECRET_FILE_VARIABLES: readonly string[] = Object.entries(variablesOf({ RUNTIME_SECTION }))
  .filter(([, declaration]) => declaration.fromFile ?? declaration.secret)
  .map(([name]) => name)

/**
 * Reads and validates the runtime's configuration from `env` (a service reads its whole
 * configuration once at boot with `readConfig`); secrets may also come from `<NAME>_FILE` files.
 * Throws a {@link RuntimeConfigError} naming every bad variable.
 */
export function loadRuntimeConfig(env: Environment): RuntimeConfig {
  return readConfig({ runtime: RUNTIME_SECTION }, env).runtime
}

/** The configuration as it may be logged: secrets and URL passwords replaced. */
export function describeConfig(config: RuntimeConfig): Record<string, unknown> {
  const url = (value?: string) => {
    if (!value) return undefined
    const parsed = new URL(value)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  }
  return {
    role: config.role,
    host: config.edge.host,
    port: config.port,
    publicBaseUrl: config.publicBaseUrl,
    adminApiKey: config.adminApiKey ? '***' : undefined,
    adminApiKeys: config.adminApiKeys.length,
    storage: {
      ...config.storage,
      databaseUrl: url(config.storage.databaseUrl),
      migrationDatabaseUrl: url(config.storage.migrationDatabaseUrl),
      replicaUrl: url(config.storage.replicaUrl),
      engine: config.storage.databaseUrl ? 'postgres' : 'pglite',
    },
    kms:
      config.kms.backend === 'local'
        ? {
            backend: 'local',
            masterKey: config.kms.masterKey ? '***' : `file ${config.kms.masterKeyFile}`,
            previousMasterKeys: config.kms.previousMasterKeys.length,
          }
        : config.kms.backend === 'vault'
          ? { backend: 'vault', endpoint: config.kms.endpoint, auth: 'token' in config.kms.auth ? 'token' : 'approle' }
          : config.kms.backend === 'pkcs11'
            ? { ...config.kms, pin: '***' }
            : { backend: 'aws', region: config.kms.region, endpoint: config.kms.endpoint },
    redis: describeRedisTarget(config.redis),
  }
}
