import { describeRedisTarget, type RedisTarget } from '@attesto/did-cache'
import { z } from 'zod'
import { type EdgeConfig, edgeConfigFrom, edgeEnvironment } from './edgeConfig.js'
import { RuntimeConfigError } from './RuntimeConfigError.js'
import { redisConfigProblem, redisEnvironment, redisTargetFrom } from './redisConfig.js'
import { resolveSecretFiles } from './resolveSecretFiles.js'

const optionalUrl = z.url().optional()
/** A comma- or newline-separated list, blanks dropped. */
const listOf = (value: string | undefined) => (value ?? '').split(/[\s,]+/).filter(Boolean)
const port = z.coerce.number().int().min(0).max(65_535)

/**
 * Every environment variable a service reads, validated at boot. Secrets (tokens, keys) are
 * kept in the config object but never logged (see `describeConfig`).
 */
const schema = z
  .object({
    ROLE: z.enum(['issuer', 'verifier']),
    PORT: port.default(3000),
    PUBLIC_BASE_URL: z.url().optional(),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
    SHUTDOWN_TIMEOUT_MILLIS: z.coerce.number().int().positive().default(10_000),
    ADMIN_API_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
    /** More admin keys, comma-separated (a rotation: the new key and the one it replaces). */
    ADMIN_API_KEYS: z
      .string()
      .optional()
      .transform((value) => listOf(value))
      .refine((keys) => keys.every((key) => key.length >= 24), 'each key must be at least 24 characters'),
    API_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(10),

    DATABASE_URL: optionalUrl,
    DATABASE_MIGRATION_URL: optionalUrl,
    DATABASE_REPLICA_URL: optionalUrl,
    DATABASE_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lower-case letters, digits and _')
      .optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
    DATABASE_STATEMENT_TIMEOUT_MILLIS: z.coerce.number().int().positive().default(5_000),
    /** DATABASE_URL (and the replica URL) lead to PgBouncer in transaction mode: no session state. */
    DATABASE_TRANSACTION_POOLING: z.enum(['true', 'false']).default('false'),
    /** After the read replica fails, how long list reads stay on the primary before it is tried again. */
    DATABASE_REPLICA_RETRY_MILLIS: z.coerce.number().int().positive().default(5_000),
    PGLITE_DATA_DIR: z.string().default('./data'),

    KMS_BACKEND: z.enum(['local', 'vault', 'aws', 'pkcs11']).default('local'),
    KMS_MASTER_KEY: z.string().optional(),
    KMS_MASTER_KEY_FILE: z.string().optional(),
    /** Earlier local master keys (base64, comma- or newline-separated), still read during a rotation. */
    LOCAL_KMS_PREVIOUS_MASTER_KEYS: z
      .string()
      .optional()
      .transform((value) => listOf(value))
      .refine(
        (keys) => keys.every((key) => Buffer.from(key, 'base64').length === 32),
        'each key must be 32 bytes in base64',
      ),
    VAULT_ADDR: optionalUrl,
    VAULT_TOKEN: z.string().optional(),
    VAULT_ROLE_ID: z.string().optional(),
    VAULT_SECRET_ID: z.string().optional(),
    VAULT_NAMESPACE: z.string().optional(),
    VAULT_TRANSIT_MOUNT: z.string().default('transit'),
    AWS_REGION: z.string().optional(),
    AWS_KMS_ENDPOINT: optionalUrl,
    PKCS11_MODULE: z.string().optional(),
    PKCS11_TOKEN_LABEL: z.string().optional(),
    PKCS11_PIN: z.string().optional(),
    PKCS11_MAX_SESSIONS: z.coerce.number().int().positive().max(1024).default(8),

    ...redisEnvironment,
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(180),
    QUEUE_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ and -, at most 32')
      .default('attesto'),
    WEBHOOK_ATTEMPTS: z.coerce.number().int().positive().default(8),
    WEBHOOK_BACKOFF_MILLIS: z.coerce.number().int().positive().default(2_000),
    WEBHOOK_TIMEOUT_MILLIS: z.coerce.number().int().positive().default(10_000),
    WEBHOOK_CONCURRENCY: z.coerce.number().int().positive().default(8),
    WEBHOOK_CONCURRENCY_PER_TENANT: z.coerce.number().int().positive().default(2),
    WEBHOOK_MAX_PER_TENANT: z.coerce.number().int().positive().default(10),
    WEBHOOK_ALLOW_INSECURE: z.enum(['true', 'false']).default('false'),
    IDEMPOTENCY_TAKEOVER_SECONDS: z.coerce.number().int().positive().default(60),
    ...edgeEnvironment,
  })
  .superRefine((env, context) => {
    const need = (variable: string, why: string) =>
      context.addIssue({ code: 'custom', path: [variable], message: `required ${why}` })
    if (env.KMS_BACKEND === 'vault') {
      if (!env.VAULT_ADDR) need('VAULT_ADDR', 'when KMS_BACKEND=vault')
      if (!env.VAULT_TOKEN && !(env.VAULT_ROLE_ID && env.VAULT_SECRET_ID)) {
        need('VAULT_TOKEN', 'when KMS_BACKEND=vault (or VAULT_ROLE_ID and VAULT_SECRET_ID for AppRole)')
      }
    }
    if (env.KMS_BACKEND === 'aws' && !env.AWS_REGION) need('AWS_REGION', 'when KMS_BACKEND=aws')
    if (env.KMS_BACKEND === 'pkcs11') {
      if (!env.PKCS11_MODULE) need('PKCS11_MODULE', "when KMS_BACKEND=pkcs11 (the path of the token vendor's module)")
      if (!env.PKCS11_TOKEN_LABEL) need('PKCS11_TOKEN_LABEL', 'when KMS_BACKEND=pkcs11')
      if (!env.PKCS11_PIN) need('PKCS11_PIN', 'when KMS_BACKEND=pkcs11 (or PKCS11_PIN_FILE)')
    }
    if (env.DATABASE_MIGRATION_URL && !env.DATABASE_URL) need('DATABASE_URL', 'when DATABASE_MIGRATION_URL is set')
    const redisProblem = redisConfigProblem(env)
    if (redisProblem) context.addIssue({ code: 'custom', path: [redisProblem.variable], message: redisProblem.message })
  })

export type RuntimeEnvironment = z.output<typeof schema>

/** Names of the variables the runtime reads (deployment manifests are checked against them). */
export const RUNTIME_ENVIRONMENT_VARIABLES: readonly string[] = Object.keys(schema.shape)

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
  kms:
    | { backend: 'local'; masterKey?: string; masterKeyFile: string; previousMasterKeys: string[] }
    | {
        backend: 'vault'
        endpoint: string
        auth: { token: string } | { roleId: string; secretId: string }
        namespace?: string
        mount: string
      }
    | { backend: 'aws'; region: string; endpoint?: string }
    | { backend: 'pkcs11'; module: string; tokenLabel: string; pin: string; maxSessions: number }
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

/**
 * The environment variables of `schema`, validated; throws a {@link RuntimeConfigError} naming
 * every bad variable and what it needs.
 */
export function parseEnvironment<Schema extends z.ZodType>(
  schema: Schema,
  env: Record<string, string | undefined>,
): z.output<Schema> {
  const parsed = schema.safeParse(env)
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`)
  throw new RuntimeConfigError(`Invalid configuration:\n${problems.join('\n')}`)
}

/**
 * Reads and validates the configuration from the environment (only services call this, once,
 * at boot); secrets may also come from `<NAME>_FILE` files (`resolveSecretFiles`). Throws a
 * {@link RuntimeConfigError} naming every bad variable.
 */
export function loadRuntimeConfig(env: Record<string, string | undefined> = process.env): RuntimeConfig {
  const e = parseEnvironment(schema, resolveSecretFiles(env))
  const kms: RuntimeConfig['kms'] =
    e.KMS_BACKEND === 'vault'
      ? {
          backend: 'vault',
          endpoint: e.VAULT_ADDR as string,
          auth: e.VAULT_TOKEN
            ? { token: e.VAULT_TOKEN }
            : { roleId: e.VAULT_ROLE_ID as string, secretId: e.VAULT_SECRET_ID as string },
          namespace: e.VAULT_NAMESPACE,
          mount: e.VAULT_TRANSIT_MOUNT,
        }
      : e.KMS_BACKEND === 'aws'
        ? { backend: 'aws', region: e.AWS_REGION as string, endpoint: e.AWS_KMS_ENDPOINT }
        : e.KMS_BACKEND === 'pkcs11'
          ? {
              backend: 'pkcs11',
              module: e.PKCS11_MODULE as string,
              tokenLabel: e.PKCS11_TOKEN_LABEL as string,
              pin: e.PKCS11_PIN as string,
              maxSessions: e.PKCS11_MAX_SESSIONS,
            }
          : {
              backend: 'local',
              masterKey: e.KMS_MASTER_KEY,
              masterKeyFile: e.KMS_MASTER_KEY_FILE ?? `${e.PGLITE_DATA_DIR}/${e.ROLE}-master.key`,
              previousMasterKeys: e.LOCAL_KMS_PREVIOUS_MASTER_KEYS,
            }
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
    kms,
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
