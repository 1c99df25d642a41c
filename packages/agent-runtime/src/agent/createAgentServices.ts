import { createDidResolutionCache, type DidResolutionCache, SafeWebDidResolver } from '@attesto/did-cache'
import { type OpenStorageReturn, PostgresStorageModule, RecordPages } from '@attesto/storage-service'
import { Agent, JwkDidResolver, KeyDidResolver, Kms, type Logger, type ModulesMap } from '@credo-ts/core'
import { agentDependencies } from '@credo-ts/node'
import type { ObservabilityConfig } from '../config/observabilityConfig.js'
import type { RuntimeConfig } from '../config/runtimeConfig.js'
import { instrumentKms, watchDatabasePools, watchDidCache, watchWebhooks } from '../metrics/collectors.js'
import { RuntimeMetrics } from '../metrics/RuntimeMetrics.js'
import { QueueConnections } from '../queues/QueueConnections.js'
import { WebhookService } from '../webhooks/WebhookService.js'
import { createKmsBackend } from './createKmsBackend.js'
import { openRoleStorage } from './openRoleStorage.js'
import { type ReadinessReturn, readinessCheck } from './readinessCheck.js'

/** A role's services without HTTP: what a worker process needs, and what the HTTP app is built on. */
export interface AgentServices<Modules extends ModulesMap> {
  agent: Agent<Modules & ReturnType<typeof baseModules>>
  storage: OpenStorageReturn
  /** The validated configuration the services were built from. */
  config: RuntimeConfig
  /** Keyset pages of the role's records (the management API's lists). */
  pages: RecordPages
  /** The KMS backend as configured (local, vault, aws or pkcs11), without the metrics wrapper. */
  kmsBackend: Kms.KeyManagementService
  didCache: DidResolutionCache
  /** The process's Redis connections of every queue (docs/QUEUES.md), when Redis is configured. */
  queueConnections?: QueueConnections
  /** Webhook queueing and delivery, when Redis is configured. */
  webhooks?: WebhookService
  /** Metrics (served at `/metrics`, docs/OBSERVABILITY.md), unless `METRICS=off`. */
  metrics?: RuntimeMetrics
  observability: ObservabilityConfig
  /** Storage answers a query; the KMS answers a public-key read. */
  readiness(): Promise<ReadinessReturn>
  /** Shuts the agent down and closes storage, the DID cache and the queue connections. */
  close(): Promise<void>
}

function baseModules(storage: OpenStorageReturn, kms: Kms.KeyManagementService) {
  return {
    storage: new PostgresStorageModule(storage.storageService),
    kms: new Kms.KeyManagementModule({ backends: [kms] }),
  }
}

export interface AgentServicesOptions {
  /** Lifetimes of the role's own record types (seconds), on top of the runtime's. */
  recordTtlSeconds?: Record<string, number>
  /** Metrics and access log; read from the environment by default. */
  observability?: ObservabilityConfig
  /** The registry to use (the HTTP app's), instead of a new one. */
  metrics?: RuntimeMetrics
}

/**
 * Builds the Credo agent of a role from validated configuration: its storage (PostgreSQL, or
 * PGlite when no database URL is configured), its KMS backend, the DID-resolution cache (in
 * process, in front of Redis when Redis is configured), the role's own modules, and (with Redis)
 * the queue connections and the webhook service, delivering.
 */
export async function createAgentServices<Modules extends ModulesMap>(
  config: RuntimeConfig,
  logger: Logger,
  roleModules: () => Modules,
  options: AgentServicesOptions = {},
): Promise<AgentServices<Modules>> {
  const observability = options.observability ?? config.observability
  const metrics = options.metrics ?? (observability.metrics ? new RuntimeMetrics(config.role) : undefined)
  const storage = await openRoleStorage(config, logger, metrics, options.recordTtlSeconds)
  const backend = await createKmsBackend(config, logger)
  const kms = metrics ? instrumentKms(metrics, backend) : backend
  const resolvers = [new KeyDidResolver(), new JwkDidResolver(), new SafeWebDidResolver()]
  // Without Redis the cache is the in-process LRU alone (Credo's default would keep its cache
  // in storage and rewrite a record on every new entry).
  const didCache = createDidResolutionCache({
    redis: config.redis,
    logger: { warn: (m, d) => logger.warn(m, d), info: (m, d) => logger.info(m, d) },
  })
  const agent = new Agent({
    config: { logger, allowInsecureHttpUrls: config.publicBaseUrl.startsWith('http:') },
    dependencies: agentDependencies,
    modules: { ...baseModules(storage, kms), ...didCache.modules(resolvers), ...roleModules() },
  })
  try {
    await agent.initialize()
  } catch (error) {
    await storage.close()
    await didCache.close()
    throw error
  }
  const queueConnections = config.redis ? new QueueConnections(config.redis, config.queuePrefix) : undefined
  const webhooks = queueConnections
    ? new WebhookService(agent.context, queueConnections, config.webhooks, logger, config.role).startDelivering(metrics)
    : undefined
  if (metrics) {
    watchDidCache(metrics, didCache.metrics)
    if ('poolUsage' in storage.database) watchDatabasePools(metrics, storage.database as never)
    if (webhooks) watchWebhooks(metrics, webhooks.stats)
  }
  return {
    agent: agent as unknown as AgentServices<Modules>['agent'],
    storage,
    config,
    pages: new RecordPages(storage.database, config.storage.schema),
    kmsBackend: backend,
    didCache,
    queueConnections,
    webhooks,
    metrics,
    observability,
    readiness: readinessCheck(agent.dependencyManager, storage, kms),
    async close() {
      await webhooks?.close()
      await agent.shutdown()
      await Promise.all([didCache.close(), storage.close()])
      queueConnections?.close()
      ;(backend as { close?: () => void }).close?.() // a backend holding sessions (pkcs11)
    },
  }
}
