import type { Logger, ModulesMap } from '@credo-ts/core'
import type { Queue } from 'bullmq'
import express from 'express'
import type { RuntimeAgent } from '../agent/createRuntimeAgent.js'
import { apiKeyRoutes } from '../auth/apiKeyRoutes.js'
import { requireAdmin, requireTenant } from '../auth/apiKeys.js'
import { requireRestBodyType } from '../edge/bodyTypes.js'
import { notFound } from '../edge/notFound.js'
import { rejectUnsafeInput } from '../edge/unsafeInput.js'
import { watchQueues } from '../metrics/collectors.js'
import { queueRoutes } from '../queues/queueRoutes.js'
import type { BoundRoute } from '../routing/operation.js'
import { largeBodiesOf, pathsTaking, routerOf } from '../routing/routerOf.js'
import { TenantsApi } from '../tenancy/TenantsApi.js'
import type { TenantsModule } from '../tenancy/TenantsModule.js'
import { undeliverableRoutes } from '../webhooks/undeliverableRoutes.js'
import { webhookListRoutes } from '../webhooks/webhookListRoutes.js'
import { webhookRoutes } from '../webhooks/webhookRoutes.js'
import { apiDocsRoutes } from './apiDocsRoutes.js'
import { errorHandler } from './errorHandler.js'
import { healthRoutes } from './healthRoutes.js'
import { LargeBodyGate } from './LargeBodyGate.js'
import { tenantAdminRoutes } from './tenantAdminRoutes.js'
import { tenantRoutes } from './tenantRoutes.js'

export interface MountRestApiOptions {
  /** Where the role's protocol endpoints are mounted (`/oid4vci`, `/oid4vp`): the REST API never touches them. */
  protocolPath: string
  /** The OpenAPI document served at `/openapi.json`. */
  openApi: object
  adminApiKey?: string
  logger: Logger
  /**
   * The role's routes, one list per feature, in mounting order; they run after tenant
   * authentication, in the tenant's agent context. Each operation brings its edge: CSV bodies,
   * and large bodies (read only after authentication, through `largeBodyGate`, bounded in flight,
   * as JSON; CSV is left unread for the route to stream).
   */
  tenantScopedRoutes: (readonly BoundRoute[])[]
  /** The role's webhook event types, offered at `POST /webhooks`. */
  webhookEvents: string[]
  /** Allow http:// and loopback webhook endpoints (development and tests only). */
  allowInsecureWebhooks: boolean
  /** The role's own queues, reported (with the webhook queue) at `GET /admin/queues`. */
  queues?: Record<string, Queue | undefined>
  largeBodyGate?: LargeBodyGate
}

/**
 * The REST API skeleton both roles share, on the runtime's express app: `/openapi.json`, `/docs`,
 * `/health`, `/ready`, `POST /tenants` (admin), tenant API-key authentication, JSON bodies (1 MiB
 * unless an operation takes a large body; no NUL, lone surrogate or nesting over 32 levels in any
 * string of a body, query or path), `Cache-Control: no-store` on every answer, the role's routes,
 * and the one error handler.
 *
 * No request body is read before its caller is authenticated: an anonymous caller cannot make an
 * instance buffer anything (the authentication middlewares read headers only).
 */
const jsonBody = express.json({ limit: '1mb' })

export function mountRestApi<Modules extends ModulesMap & { tenants: TenantsModule }>(
  runtime: RuntimeAgent<Modules>,
  options: MountRestApiOptions,
): void {
  const tenants = runtime.agent.dependencyManager.resolve(TenantsApi)
  const api = express.Router()
  for (const path of [options.protocolPath, '/.well-known'])
    api.use(path, (_request, _response, next) => next('router'))
  api.use(apiDocsRoutes(options.openApi))
  api.use(routerOf(healthRoutes(() => runtime.readiness())))
  // Tenant-keyed answers are private, and some carry secrets (an API key, a tx_code): never cached.
  api.use((_request, response, next) => {
    response.set('Cache-Control', 'no-store')
    next()
  })
  const adminApiKeys = [...new Set([options.adminApiKey ?? '', ...runtime.config.adminApiKeys])].filter(Boolean)
  const declared = options.tenantScopedRoutes.flat()
  api.use(requireRestBodyType(pathsTaking(declared, 'csv')))
  api.use('/tenants', requireAdmin(adminApiKeys), jsonBody, rejectUnsafeInput)
  api.use(routerOf([...tenantRoutes(tenants), ...tenantAdminRoutes(tenants, runtime.pages)]))
  api.use('/admin', requireAdmin(adminApiKeys))
  api.use(
    routerOf([
      ...queueRoutes({ ...options.queues, webhooks: runtime.webhooks?.queue }),
      ...undeliverableRoutes(runtime.agent.context),
    ]),
  )
  api.use(requireTenant(tenants, runtime.config.apiKeyCacheSeconds * 1000), runtime.rateLimits.perTenant())
  for (const { path, limitBytes } of largeBodiesOf(declared)) {
    const gate = options.largeBodyGate ?? new LargeBodyGate({ maxInFlight: 2, maxInFlightPerTenant: 1 })
    api.post(path, gate.handler(limitBytes), express.json({ limit: limitBytes }))
  }
  api.use(jsonBody, rejectUnsafeInput)
  api.use(
    routerOf([
      ...apiKeyRoutes(tenants),
      ...webhookListRoutes(runtime.pages),
      ...webhookRoutes(runtime.webhooks, options.webhookEvents, options.allowInsecureWebhooks),
    ]),
  )
  for (const routes of options.tenantScopedRoutes) api.use(routerOf(routes))
  runtime.app.use(api)
  runtime.app.use(notFound)
  runtime.app.use(errorHandler(options.logger))
  if (runtime.metrics) watchQueues(runtime.metrics, { ...options.queues, webhooks: runtime.webhooks?.queue })
}
