import {
  createRuntimeAgent,
  errorHandler,
  healthRoutes,
  type RuntimeAgent,
  type RuntimeConfig,
  requireTenant,
  TenantsModule,
} from '@attesto/agent-runtime'
import type { Logger } from '@credo-ts/core'
import { OpenId4VcModule } from '@credo-ts/openid4vc'
import express, { type Express } from 'express'
import { credentialRequestToCredentialMapper } from './issuance/issuanceMetadata.js'
import { issuerOpenApi } from './openapi.js'
import { issuerRoutes } from './routes/issuerRoutes.js'
import { offerRoutes } from './routes/offerRoutes.js'
import { tenantRoutes } from './routes/tenantRoutes.js'

function issuerModules(config: RuntimeConfig) {
  return (app: Express) => ({
    tenants: new TenantsModule(),
    openid4vc: new OpenId4VcModule({
      app,
      issuer: { baseUrl: `${config.publicBaseUrl}/oid4vci`, credentialRequestToCredentialMapper },
    }),
  })
}

export type IssuerRuntime = RuntimeAgent<ReturnType<ReturnType<typeof issuerModules>>>

/**
 * Builds the issuer: its agent (storage, KMS, tenants, OID4VCI endpoints under /oid4vci) and the
 * REST API on the same express app. `server.ts` listens; tests import this.
 */
export async function createIssuerApp(config: RuntimeConfig, logger: Logger): Promise<IssuerRuntime> {
  const runtime = await createRuntimeAgent(config, logger, issuerModules(config))
  const tenants = runtime.agent.modules.tenants
  const api = express.Router()
  // Credo's OID4VCI endpoints live under /oid4vci on the same app and own those requests,
  // including any that their handlers pass on: the REST API never touches them.
  api.use('/oid4vci', (_request, _response, next) => next('router'))
  api.use(express.json({ limit: '1mb' }))
  api.get('/openapi.json', (_request, response) => {
    response.json(issuerOpenApi(config.publicBaseUrl))
  })
  api.use(healthRoutes(() => runtime.readiness()))
  api.use(tenantRoutes(tenants, config.adminApiKey))
  api.use(requireTenant(tenants))
  api.use(issuerRoutes(`${config.publicBaseUrl}/oid4vci`))
  api.use(offerRoutes())
  runtime.app.use(api)
  runtime.app.use(errorHandler(logger))
  return runtime
}
