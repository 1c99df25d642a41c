import { createDidResolutionCache, type DidResolutionCache, SafeWebDidResolver } from '@attesto/did-cache'
import { type OpenStorageReturn, PostgresStorageModule, RecordPages } from '@attesto/storage-service'
import { Agent, JwkDidResolver, KeyDidResolver, Kms, type Logger, type ModulesMap } from '@credo-ts/core'
import { agentDependencies } from '@credo-ts/node'
import express, { type Express } from 'express'
import type { ObservabilityConfig } from '../config/observabilityConfig.js'
import type { RuntimeConfig } from '../config/runtimeConfig.js'
import { mountEdge } from '../edge/mountEdge.js'
import { EdgeRateLimits } from '../edge/rateLimits.js'
import { TAKEOVER_AFTER_MILLIS_LOCAL } from '../idempotency/withIdempotency.js'
import { JsonLogger } from '../logging/JsonLogger.js'
import { instrumentKms, watchDatabasePools, watchDidCache, watchWebhooks, watchWorker } from '../metrics/collectors.js'
import { mountMetricsRoute } from '../metrics/metricsEndpoint.js'
import { RuntimeMetrics } from '../metrics/RuntimeMetrics.js'
import { observeRequests } from '../metrics/requestObservability.js'
import { WebhookService } from '../webhooks/WebhookService.js'
import { createKmsBackend } from './createKmsBackend.js'
import { openRoleStorage } from './openRoleStorage.js'
import { type ReadinessReturn, readinessCheck } from './readinessCheck.js'

export type { ReadinessReturn } from './readinessCheck.js'

export interface RuntimeAgent<Modules extends ModulesMap> {
  agent: Agent<Modules & ReturnType<typeof baseModules>>
  /** The express app: the role's routes and Credo's protocol endpoints go here. */
  app: Express
  storage: OpenStorageReturn
  /** The validated configuration the runtime was built from. */
  config: RuntimeConfig
  /** Keyset pages of the role's records (the management API's lists). */
  pages: RecordPages
  /** The KMS backend as configured (local, vault, aws or pkcs11), without the metrics wrapper. */
  kmsBackend: Kms.KeyManagementService
  didCache: DidResolutionCache
  /** Webhook queueing and delivery, when Redis is configured. */
  webhooks?: WebhookService
  /** Metrics (served at `/metrics`, docs/OBSERVABILITY.md), unless `METRICS=off`. */
  metrics?: RuntimeMetrics
  observability: ObservabilityConfig
  /** Per-address and per-tenant rate limits (docs/SECURITY.md). */
  rateLimits: EdgeRateLimits
  /** Storage answers a query; the KMS answers a public-key read. */
  readiness(): Promise<ReadinessReturn>
  /** Shuts the agent down and closes storage and the DID cache. */
  close(): Promise<void>
}

function baseModules(storage: OpenStorageReturn, kms: Kms.KeyManagementService) {
  return {
    storage: new PostgresStorageModule(storage.storageService),
    kms: new Kms.KeyManagementModule({ backends: [kms] }),
  }
}

export interface RuntimeAgentOptions {
  /** Lifetimes of the role's own record types (seconds), on top of the runtime's. */
  recordTtlSeconds?: Record<string, number>
  /** Metrics and access log; read from the environment by default. */
  observability?: ObservabilityConfig
}

/**
 * Builds the Credo agent of a role from validated configuration: its storage (PostgreSQL, or
 * PGlite when no database URL is configured), its KMS backend, the DID-resolution cache (in
 * process, in front of Redis when Redis is configured), and the role's own modules, which receive
 * the express app.
 */
export async function createRuntimeAgent<Modules extends ModulesMap>(
  config: RuntimeConfig,
  logger: Logger,
  roleModules: (app: Express) => Modules,
  options: RuntimeAgentOptions = {},
): Promise<RuntimeAgent<Modules>> {
  const observability = options.observability ?? config.observability
  const metrics = observability.metrics ? new RuntimeMetrics(config.role) : undefined
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
  const app = roleExpressApp(config, logger, metrics, observability)
  const agent = new Agent({
    config: { logger, allowInsecureHttpUrls: config.publicBaseUrl.startsWith('http:') },
    dependencies: agentDependencies,
    modules: {
      ...baseModules(storage, kms),
      ...didCache.modules(resolvers),
      ...roleModules(app),
    },
  })
  try {
    await agent.initialize()
  } catch (error) {
    await storage.close()
    await didCache.close()
    throw error
  }

  const rateLimits = new EdgeRateLimits({
    limits: config.edge.rateLimits,
    redis: config.redis,
    prefix: config.queuePrefix,
  })
  const webhooks = config.redis
    ? new WebhookService(
        agent.context,
        config.redis,
        config.webhooks,
        config.queuePrefix,
        logger,
        config.role,
      ).startDelivering()
    : undefined
  if (metrics) {
    watchDidCache(metrics, didCache.metrics)
    if ('poolUsage' in storage.database) watchDatabasePools(metrics, storage.database as never)
    if (webhooks) watchWebhooks(metrics, webhooks.stats)
    if (webhooks?.deliveryWorker) watchWorker(metrics, 'webhooks', webhooks.deliveryWorker)
  }

  return {
    agent: agent as unknown as RuntimeAgent<Modules>['agent'],
    app,
    storage,
    config,
    pages: new RecordPages(storage.database, config.storage.schema),
    kmsBackend: backend,
    didCache,
    webhooks,
    metrics,
    observability,
    rateLimits,
    readiness: readinessCheck(agent.dependencyManager, storage, kms),
    async close() {
      rateLimits.close()
      await webhooks?.close()
      await agent.shutdown()
      await Promise.all([didCache.close(), storage.close()])
      ;(backend as { close?: () => void }).close?.() // a backend holding sessions (pkcs11)
    },
  }
}

/** The express app of the role: request metrics and access log, `/metrics`, and the public edge. */
function roleExpressApp(
  config: RuntimeConfig,
  logger: Logger,
  metrics: RuntimeMetrics | undefined,
  observability: ObservabilityConfig,
): Express {
  const app = express()
  observeRequests(app, {
    metrics,
    accessLog: observability.accessLog && logger instanceof JsonLogger ? logger : undefined,
  })
  if (metrics) mountMetricsRoute(app, metrics, observability)
  mountEdge(app, config.edge)
  app.locals[TAKEOVER_AFTER_MILLIS_LOCAL] = config.idempotencyTakeoverSeconds * 1000
  return app
}
