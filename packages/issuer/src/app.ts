import { createRuntimeAgent, protectProtocolEndpoints, type RuntimeConfig } from '@attesto/agent-runtime'
import type { Logger } from '@credo-ts/core'
import { createAuthorizationServices } from './authorization/AuthorizationServices.js'
import { type AuthorizationConfig, loadAuthorizationConfig } from './authorization/authorizationConfig.js'
import { type BatchConfig, loadBatchConfig } from './batches/batchConfig.js'
import { type IssuerRuntime, issuerModules } from './compose/IssuerRuntime.js'
import { mountIssuerRestApi } from './compose/issuerRestApi.js'
import { addIssuerServices, ISSUER_RECORD_TTLS } from './compose/issuerServices.js'
import { IssuerDirectory } from './issuers/IssuerDirectory.js'
import { externalTokenIssuances } from './protocol/ExternalTokenIssuances.js'
import { OID4VCI_OPERATIONS, oid4vciRouter } from './protocol/oid4vciRouter.js'
import { type IssuerProtocolConfig, loadIssuerProtocolConfig, tokenSecretsOf } from './protocol/protocolConfig.js'
import { createSenderProofs } from './protocol/senderProofs.js'
import { STATUS_LIST_OPERATIONS, statusListRouter } from './protocol/statusListRouter.js'
import { loadStatusListConfig, type StatusListConfig } from './status/statusConfig.js'

export type { IssuerRuntime } from './compose/IssuerRuntime.js'

/**
 * Builds the issuer, in this order: its agent (storage, KMS, tenants); the credential status
 * services; the offers and the issuer directory; the OID4VCI endpoints under /oid4vci (the lean
 * path, with the authorization code flow's authorization server and the sender checks) and the
 * public status lists; the queues (with REDIS_URL); the REST API on the same express app. `server.ts` listens; tests import this.
 * The issuer's own sections come from the configuration read at boot (`server.ts`); left out,
 * they take their declared defaults, never the process environment.
 */
export async function createIssuerApp(
  config: RuntimeConfig,
  logger: Logger,
  batchConfig: BatchConfig = loadBatchConfig({}),
  protocolConfig: IssuerProtocolConfig = loadIssuerProtocolConfig({}),
  statusConfig: StatusListConfig = loadStatusListConfig({}),
  authorizationConfig: AuthorizationConfig = loadAuthorizationConfig({}),
): Promise<IssuerRuntime> {
  const agentRuntime = await createRuntimeAgent(config, logger, issuerModules(), {
    recordTtlSeconds: ISSUER_RECORD_TTLS,
  })
  const { issuer, credentialIssuerBaseUrl, statuses, publisher } = addIssuerServices(
    agentRuntime,
    logger,
    batchConfig,
    statusConfig,
  )
  const schema = config.storage.schema
  const runtime: IssuerRuntime = Object.assign(issuer, {
    issuers: new IssuerDirectory(
      agentRuntime.agent.context,
      credentialIssuerBaseUrl,
      protocolConfig.issuerMetadataCacheSeconds,
      tokenSecretsOf(protocolConfig, agentRuntime.kmsBackend),
    ),
  })
  const authorization = createAuthorizationServices(
    agentRuntime.storage.database,
    schema,
    runtime.offers.sessions,
    authorizationConfig,
    config.webhooks.allowInsecure,
  )
  const proofs = createSenderProofs(protocolConfig, {
    redis: config.redis,
    prefix: config.queuePrefix,
    logger,
  })
  const protocol = oid4vciRouter({
    authorization,
    external: externalTokenIssuances(authorizationConfig, runtime.offers.sessions, config.webhooks.allowInsecure),
    directory: runtime.issuers,
    sessions: runtime.offers.sessions,
    config: protocolConfig,
    status: runtime.credentialStatus,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    webhooks: runtime.webhooks,
    proofs,
    logger,
  })
  protectProtocolEndpoints(runtime.app, runtime.rateLimits, [...OID4VCI_OPERATIONS, ...STATUS_LIST_OPERATIONS])
  runtime.app.use(statusListRouter(runtime.issuers, publisher, logger))
  runtime.app.use(protocol.router)
  const closeRuntime = runtime.close.bind(runtime)
  runtime.close = async () => {
    protocol.close()
    await closeRuntime()
  }
  mountIssuerRestApi(runtime, {
    config,
    batchConfig,
    credentialIssuerBaseUrl,
    statuses,
    walletProviderKeys: proofs.walletProviders,
    logger,
  })
  return runtime
}
