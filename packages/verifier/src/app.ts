import {
  createRuntimeAgent,
  mountRestApi,
  type RuntimeAgent,
  type RuntimeConfig,
  TenantsModule,
} from '@attesto/agent-runtime'
import type { AgentContext, Logger } from '@credo-ts/core'
import { OpenId4VcModule } from '@credo-ts/openid4vc'
import type { Express, RequestHandler } from 'express'
import { verifierOpenApi } from './openapi.js'
import { presentationRoutes } from './routes/presentationRoutes.js'
import { templateRoutes } from './routes/templateRoutes.js'
import { verifierRoutes } from './routes/verifierRoutes.js'
import { ReceivedResponseRecord } from './verification/ReceivedResponseRecord.js'
import { MAX_REQUEST_LIFETIME_SECONDS, responseReplayGuard } from './verification/responseReplayGuard.js'
import { emitVerifierWebhookEvents, VERIFIER_WEBHOOK_EVENTS } from './webhooks/verifierWebhooks.js'

function verifierModules(config: RuntimeConfig, replayGuard: RequestHandler[]) {
  return (app: Express) => {
    // Before Credo's router, so that a replayed response never reaches it.
    app.post('/oid4vp/:verifierId/authorize', ...replayGuard)
    return {
      tenants: new TenantsModule(),
      openid4vc: new OpenId4VcModule({ app, verifier: { baseUrl: `${config.publicBaseUrl}/oid4vp` } }),
    }
  }
}

export type VerifierRuntime = RuntimeAgent<ReturnType<ReturnType<typeof verifierModules>>>

/**
 * Builds the verifier: its agent (storage, KMS, tenants, OID4VP endpoints under /oid4vp) and the
 * REST API on the same express app. `server.ts` listens; tests import this.
 */
export async function createVerifierApp(config: RuntimeConfig, logger: Logger): Promise<VerifierRuntime> {
  let rootContext: AgentContext | undefined
  const replayGuard = responseReplayGuard(() => rootContext as AgentContext, logger)
  const runtime = await createRuntimeAgent(config, logger, verifierModules(config, replayGuard), {
    recordTtlSeconds: { [ReceivedResponseRecord.type]: MAX_REQUEST_LIFETIME_SECONDS },
  })
  rootContext = runtime.agent.context
  mountRestApi(runtime, {
    protocolPath: '/oid4vp',
    openApi: verifierOpenApi(config.publicBaseUrl),
    adminApiKey: config.adminApiKey,
    logger,
    tenantScopedRoutes: [verifierRoutes(), templateRoutes(), presentationRoutes()],
    webhookEvents: VERIFIER_WEBHOOK_EVENTS,
    allowInsecureWebhooks: config.webhooks.allowInsecure,
  })
  emitVerifierWebhookEvents(runtime)
  return runtime
}
