import { LargeBodyGate, mountRestApi, type RuntimeConfig } from '@attesto/agent-runtime'
import type { Logger } from '@credo-ts/core'
import type { BatchConfig } from '../batches/batchConfig.js'
import { issuerOpenApi } from '../openapi.js'
import type { WalletProviderKeys } from '../protocol/clientAttestation/WalletProviderKeys.js'
import { authorizationServerRoutes } from '../routes/authorizationServerRoutes.js'
import { batchRoutes } from '../routes/batchRoutes.js'
import { issuerCertificateRoutes } from '../routes/certificateRoutes.js'
import { identityProviderRoutes } from '../routes/identityProviderRoutes.js'
import { issuerRoutes } from '../routes/issuerRoutes.js'
import { managementRoutes } from '../routes/managementRoutes.js'
import { offerRoutes } from '../routes/offerRoutes.js'
import { statusRoutes } from '../routes/statusRoutes.js'
import { walletProviderRoutes } from '../routes/walletProviderRoutes.js'
import type { CredentialStatusStore } from '../status/CredentialStatusStore.js'
import { ISSUER_WEBHOOK_EVENTS } from '../webhooks/issuerWebhooks.js'
import type { IssuerRuntime } from './IssuerRuntime.js'
import { issuerQueuesByLabel } from './issuerQueues.js'

export interface IssuerRestApiOptions {
  config: RuntimeConfig
  batchConfig: BatchConfig
  credentialIssuerBaseUrl: string
  statuses: CredentialStatusStore
  /** Forgotten on this instance when the tenant's wallet providers change. */
  walletProviderKeys: WalletProviderKeys
  logger: Logger
}

/** The issuer's REST API (management, identities, offers, batches, statuses) on the runtime's app, with its OpenAPI. */
export function mountIssuerRestApi(runtime: IssuerRuntime, options: IssuerRestApiOptions): void {
  const { config, batchConfig, credentialIssuerBaseUrl } = options
  mountRestApi(runtime, {
    protocolPath: '/oid4vci',
    openApi: issuerOpenApi(config.publicBaseUrl),
    adminApiKey: config.adminApiKey,
    logger: options.logger,
    tenantScopedRoutes: [
      ...managementRoutes({
        root: runtime.agent.context,
        database: runtime.storage.database,
        schema: config.storage.schema,
        pages: runtime.pages,
        sessions: runtime.offers.sessions,
        directory: runtime.issuers,
        credentialIssuerBaseUrl,
      }),
      issuerRoutes(credentialIssuerBaseUrl, runtime.issuers),
      issuerCertificateRoutes(credentialIssuerBaseUrl, runtime.issuers),
      offerRoutes({
        offers: runtime.offers,
        issuers: runtime.issuers,
        deferredClaims: runtime.deferredClaims,
        deferralIntervalSeconds: batchConfig.deferredIntervalSeconds,
        statuses: options.statuses,
      }),
      identityProviderRoutes(),
      authorizationServerRoutes(credentialIssuerBaseUrl, runtime.issuers),
      batchRoutes(runtime.agent.context, runtime.offerBatches, batchConfig),
      statusRoutes(runtime.credentialStatus, runtime.statusChanges),
      walletProviderRoutes(runtime.pages, options.walletProviderKeys),
    ],
    largeBodies: [{ path: '/offer-batches', limitBytes: batchConfig.maxBytes }],
    largeBodyGate: new LargeBodyGate({
      maxInFlight: batchConfig.uploadsInFlight,
      maxInFlightPerTenant: batchConfig.uploadsInFlightPerTenant,
    }),
    queues: issuerQueuesByLabel(runtime),
    webhookEvents: ISSUER_WEBHOOK_EVENTS,
    allowInsecureWebhooks: config.webhooks.allowInsecure,
  })
}
