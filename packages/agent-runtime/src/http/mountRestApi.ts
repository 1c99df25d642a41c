import type { Logger, ModulesMap } from '@credo-ts/core'
import type { Queue } from 'bullmq'
import express, { type Router } from 'express'
import type { RuntimeAgent } from '../agent/createRuntimeAgent.js'
import { requireAdmin, requireTenant } from '../auth/apiKeys.js'
import { queueRoutes } from '../queues/queueRoutes.js'
import { TenantsApi } from '../tenancy/TenantsApi.js'
import type { TenantsModule } from '../tenancy/TenantsModule.js'
import { webhookRoutes } from '../webhooks/webhookRoutes.js'
import { errorHandler } from './errorHandler.js'
import { healthRoutes } from './healthRoutes.js'
import { tenantRoutes } from './tenantRoutes.js'

export interface MountRestApiOptions {
  /** Where Credo's protocol endpoints are mounted (`/oid4vci`, `/oid4vp`): the REST API never touches them. */
  protocolPath: string
  /** The OpenAPI document served at `/openapi.json`. */
  openApi: object
  adminApiKey?: string
  logger: Logger
  /** The role's routes; they run after tenant authentication, in the tenant's agent context. */
  tenantScopedRoutes: Router[]
  /** The role's webhook event types, offered at `POST /webhooks`. */
  webhookEvents: string[]
  /** Allow http:// and loopback webhook endpoints (development and tests only). */
  allowInsecureWebhooks: boolean
  /** The role's own queues, reported (with the webhook queue) at `GET /admin/queues`. */
  queues?: Record<string, Queue | undefined>
  /** Paths that take bodies above the 1 MiB default (JSON, or CSV as text), with their limit. */
  largeBodies?: { path: string; limit: string }[]
}

/**
 * The REST API skeleton both roles share, on the runtime's express app: JSON bodies (1 MiB
 * unless `largeBodies` says otherwise),
 * `/openapi.json`, `/health`, `/ready`, `POST /tenants` (admin), tenant API-key authentication,
 * the role's routes, and the one error handler.
 */
export function mountRestApi<Modules extends ModulesMap & { tenants: TenantsModule }>(
  runtime: RuntimeAgent<Modules>,
  options: MountRestApiOptions,
): void {
  const tenants = runtime.agent.dependencyManager.resolve(TenantsApi)
  const api = express.Router()
  // Credo's handlers own their paths (the protocol path and its /.well-known documents), and pass
  // some requests on after answering them: a request that is answered goes no further.
  api.use((_request, response, next) => {
    if (!response.headersSent) next()
  })
  api.use(options.protocolPath, (_request, _response, next) => next('router'))
  for (const { path, limit } of options.largeBodies ?? []) {
    api.use(path, express.json({ limit }), express.text({ type: 'text/csv', limit }))
  }
  api.use(express.json({ limit: '1mb' }))
  api.get('/openapi.json', (_request, response) => {
    response.json(options.openApi)
  })
  api.use(healthRoutes(() => runtime.readiness()))
  api.use(tenantRoutes(tenants, options.adminApiKey))
  api.use(
    '/admin',
    requireAdmin(options.adminApiKey),
    queueRoutes({ ...options.queues, webhooks: runtime.webhooks?.queue }),
  )
  api.use(requireTenant(tenants))
  api.use(webhookRoutes(runtime.webhooks, options.webhookEvents, options.allowInsecureWebhooks))
  for (const routes of options.tenantScopedRoutes) api.use(routes)
  runtime.app.use(api)
  runtime.app.use(errorHandler(options.logger))
}
