import {
  createRuntimeAgent,
  mountRestApi,
  type RuntimeAgent,
  type RuntimeConfig,
  TenantsModule,
} from '@attesto/agent-runtime'
import type { Logger } from '@credo-ts/core'
import { OpenId4VcModule } from '@credo-ts/openid4vc'
import type { Express } from 'express'
import { credentialRequestToCredentialMapper } from './issuance/issuanceMetadata.js'
import { issuerOpenApi } from './openapi.js'
import { issuerRoutes } from './routes/issuerRoutes.js'
import { offerRoutes } from './routes/offerRoutes.js'

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
  mountRestApi(runtime, {
    protocolPath: '/oid4vci',
    openApi: issuerOpenApi(config.publicBaseUrl),
    adminApiKey: config.adminApiKey,
    logger,
    tenantScopedRoutes: [issuerRoutes(`${config.publicBaseUrl}/oid4vci`), offerRoutes()],
  })
  return runtime
}
