import type { Logger, ModulesMap } from '@credo-ts/core'
import express, { type Express } from 'express'
import type { ObservabilityConfig } from '../config/observabilityConfig.js'
import type { RuntimeConfig } from '../config/runtimeConfig.js'
import { mountEdge } from '../edge/mountEdge.js'
import { EdgeRateLimits } from '../edge/rateLimits.js'
import { TAKEOVER_AFTER_MILLIS_LOCAL } from '../idempotency/withIdempotency.js'
import { JsonLogger } from '../logging/JsonLogger.js'
import { mountMetricsRoute } from '../metrics/metricsEndpoint.js'
import { RuntimeMetrics } from '../metrics/RuntimeMetrics.js'
import { observeRequests } from '../metrics/requestObservability.js'
import { type AgentServices, type AgentServicesOptions, createAgentServices } from './createAgentServices.js'

export type { AgentServices, AgentServicesOptions } from './createAgentServices.js'
export type { ReadinessReturn } from './readinessCheck.js'

export interface RuntimeAgent<Modules extends ModulesMap> extends AgentServices<Modules> {
  /** The express app: the role's routes and Credo's protocol endpoints go here. */
  app: Express
  /** Per-address and per-tenant rate limits (docs/SECURITY.md). */
  rateLimits: EdgeRateLimits
}

export type RuntimeAgentOptions = AgentServicesOptions

/**
 * A role's services ({@link createAgentServices}) with its HTTP side: the express app (request
 * metrics, access log, `/metrics`, the public edge), which the role's own modules receive, and
 * the edge rate limits.
 */
export async function createRuntimeAgent<Modules extends ModulesMap>(
  config: RuntimeConfig,
  logger: Logger,
  roleModules: (app: Express) => Modules,
  options: RuntimeAgentOptions = {},
): Promise<RuntimeAgent<Modules>> {
  const observability = options.observability ?? config.observability
  const metrics = observability.metrics ? new RuntimeMetrics(config.role) : undefined
  const app = roleExpressApp(config, logger, metrics, observability)
  const services = await createAgentServices(config, logger, () => roleModules(app), {
    ...options,
    observability,
    metrics,
  })
  const rateLimits = new EdgeRateLimits({
    limits: config.edge.rateLimits,
    redis: config.redis,
    prefix: config.queuePrefix,
  })
  const closeServices = services.close.bind(services)
  return Object.assign(services, {
    app,
    rateLimits,
    async close() {
      rateLimits.close()
      await closeServices()
    },
  })
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
