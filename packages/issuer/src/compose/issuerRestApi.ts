import { LargeBodyGate, mountRestApi, type RuntimeConfig } from '@attesto/agent-runtime'
import type { Logger } from '@credo-ts/core'
import type { BatchConfig } from '../batches/batchConfig.js'
import { OfferManagement } from '../issuance/OfferManagement.js'
import { issuerOpenApi } from '../openapi.js'
import type { WalletProviderKeys } from '../protocol/clientAttestation/WalletProviderKeys.js'
import { ISSUER_FEATURES, type IssuerServices } from '../routes/issuerFeatures.js'
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

/** What the issuer's features are bound to, from the runtime. */
function issuerServices(runtime: IssuerRuntime, options: IssuerRestApiOptions): IssuerServices {
  const { batchConfig } = options
  return {
    root: runtime.agent.context,
    pages: runtime.pages,
    credentialIssuerBaseUrl: options.credentialIssuerBaseUrl,
    issuers: runtime.issuers,
    offers: runtime.offers,
    offerManagement: new OfferManagement(runtime.offers.sessions),
    deferredClaims: runtime.deferredClaims,
    deferralIntervalSeconds: batchConfig.deferredIntervalSeconds,
    statuses: options.statuses,
    offerBatches: runtime.offerBatches,
    batchConfig,
    credentialStatus: runtime.credentialStatus,
    statusChanges: runtime.statusChanges,
    walletProviderKeys: options.walletProviderKeys,
  }
}

/**
 * The issuer's REST API (management, identities, offers, batches, statuses) on the runtime's app,
 * with its OpenAPI: its features in their order.
 */
export function mountIssuerRestApi(runtime: IssuerRuntime, options: IssuerRestApiOptions): void {
  const { config, batchConfig } = options
  const services = issuerServices(runtime, options)
  mountRestApi(runtime, {
    protocolPath: '/oid4vci',
    openApi: issuerOpenApi(config.publicBaseUrl),
    adminApiKey: config.adminApiKey,
    logger: options.logger,
    tenantScopedRoutes: ISSUER_FEATURES.map((feature) => feature.routes(services)),
    largeBodyGate: new LargeBodyGate({
      maxInFlight: batchConfig.uploadsInFlight,
      maxInFlightPerTenant: batchConfig.uploadsInFlightPerTenant,
    }),
    queues: issuerQueuesByLabel(runtime),
    webhookEvents: ISSUER_WEBHOOK_EVENTS,
    allowInsecureWebhooks: config.webhooks.allowInsecure,
  })
}
