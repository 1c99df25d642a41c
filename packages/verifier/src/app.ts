import {
  createRuntimeAgent,
  mountRestApi,
  protectProtocolEndpoints,
  type RuntimeAgent,
  type RuntimeConfig,
  TenantsApi,
  TenantsModule,
} from '@attesto/agent-runtime'
import { StatusListTokenResolver } from '@attesto/did-cache'
import type { Logger } from '@credo-ts/core'
import { verifierRestRoutes } from './compose/verifierRestApi.js'
import { verifierOpenApi } from './openapi.js'
import { OID4VP_OPERATIONS, protocolRoutes } from './protocol/protocolRoutes.js'
import { VerifierDirectory } from './protocol/VerifierDirectory.js'
import { PresentationRequestManagement } from './verification/PresentationRequestManagement.js'
import { SameDeviceResults } from './verification/SameDeviceResults.js'
import { loadStatusCheckConfig, type StatusCheckConfig } from './verification/statusCheckConfig.js'
import { watchStatusLists } from './verification/statusListMetrics.js'
import { VerificationSessions } from './verification/VerificationSessions.js'
import { presentationWebhooks, VERIFIER_WEBHOOK_EVENTS } from './webhooks/verifierWebhooks.js'

function verifierModules() {
  return { tenants: new TenantsModule() }
}

/** The status checks `createVerifierApp` takes, from an environment (the default reads none). */
export { loadStatusCheckConfig, type StatusCheckConfig }

export type VerifierRuntime = RuntimeAgent<ReturnType<typeof verifierModules>> & {
  /** The presentation requests' rows (tests and benchmarks read them). */
  sessions: VerificationSessions
  /** Status list tokens, cached in the DID cache. */
  statusLists: StatusListTokenResolver
}

/**
 * Builds the verifier: its agent (storage, KMS, tenants, DID resolution), the OID4VP endpoints
 * under /oid4vp (our own, on compact session rows) and the REST API on the same express app.
 * `server.ts` listens; tests import this.
 */
export async function createVerifierApp(
  config: RuntimeConfig,
  logger: Logger,
  statusConfig: StatusCheckConfig = loadStatusCheckConfig({}),
): Promise<VerifierRuntime> {
  const runtime = await createRuntimeAgent(config, logger, verifierModules)
  const statusLists = new StatusListTokenResolver({
    cache: runtime.didCache.cache,
    timeoutMillis: statusConfig.fetchTimeoutMillis,
    attempts: statusConfig.fetchAttempts,
    maxBytes: statusConfig.maxBytes,
    maxCacheSeconds: statusConfig.maxCacheSeconds,
    allowLoopback: statusConfig.allowInsecure,
    allowPrivateNetwork: statusConfig.allowInsecure,
    allowInsecureHttp: statusConfig.allowInsecure,
  })
  if (runtime.metrics) watchStatusLists(runtime.metrics, statusLists)
  const sessions = new VerificationSessions(runtime.storage.database, config.storage.schema)
  const directory = new VerifierDirectory(runtime.agent.dependencyManager.resolve(TenantsApi))
  const baseUrl = config.publicBaseUrl
  protectProtocolEndpoints(runtime.app, runtime.rateLimits, OID4VP_OPERATIONS)
  runtime.app.use(
    protocolRoutes({
      baseUrl,
      directory,
      sessions,
      decided: presentationWebhooks(runtime.webhooks, logger),
      statusLists,
      statusUnavailable: statusConfig.unavailablePolicy,
      logger,
    }),
  )
  mountRestApi(runtime, {
    protocolPath: '/oid4vp',
    openApi: verifierOpenApi(baseUrl),
    adminApiKey: config.adminApiKey,
    logger,
    tenantScopedRoutes: verifierRestRoutes({
      baseUrl,
      directory,
      sessions,
      pages: runtime.pages,
      requests: new PresentationRequestManagement(runtime.storage.database, config.storage.schema),
      results: new SameDeviceResults(runtime.storage.database, config.storage.schema),
    }),
    webhookEvents: VERIFIER_WEBHOOK_EVENTS,
    allowInsecureWebhooks: config.webhooks.allowInsecure,
  })
  return Object.assign(runtime, { sessions, statusLists })
}
