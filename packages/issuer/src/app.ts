import {
  createRuntimeAgent,
  LargeBodyGate,
  mountRestApi,
  protectProtocolEndpoints,
  type RuntimeAgent,
  type RuntimeConfig,
  TenantsModule,
} from '@attesto/agent-runtime'
import type { Logger } from '@credo-ts/core'
import { type BatchConfig, loadBatchConfig } from './batches/batchConfig.js'
import { OfferBatchChunkRecord } from './batches/OfferBatchChunkRecord.js'
import { OfferBatchRecord } from './batches/OfferBatchRecord.js'
import { OfferBatchQueue } from './batches/offerBatchQueue.js'
import { DeferredClaimsQueue } from './deferred/DeferredClaimsQueue.js'
import type { OfferMaker } from './issuance/createOffer.js'
import { IssuanceSessionStore } from './issuance/IssuanceSessionStore.js'
import { IssuerDirectory } from './issuers/IssuerDirectory.js'
import { issuerOpenApi } from './openapi.js'
import { OID4VCI_ENDPOINT_EDGES, oid4vciRouter } from './protocol/oid4vciRouter.js'
import { type IssuerProtocolConfig, loadIssuerProtocolConfig, tokenSecretsOf } from './protocol/protocolConfig.js'
import { statusListRouter } from './protocol/statusListRouter.js'
import { batchRoutes } from './routes/batchRoutes.js'
import { certificateRoutes } from './routes/certificateRoutes.js'
import { issuerRoutes } from './routes/issuerRoutes.js'
import { managementRoutes } from './routes/managementRoutes.js'
import { offerRoutes } from './routes/offerRoutes.js'
import { statusRoutes } from './routes/statusRoutes.js'
import { CredentialStatusService } from './status/CredentialStatusService.js'
import { CredentialStatusStore } from './status/CredentialStatusStore.js'
import { StatusChangeQueue } from './status/StatusChangeQueue.js'
import { StatusListPublisher } from './status/StatusListPublisher.js'
import { StatusLists } from './status/StatusLists.js'
import { loadStatusListConfig, type StatusListConfig } from './status/statusConfig.js'
import { ISSUER_WEBHOOK_EVENTS } from './webhooks/issuerWebhooks.js'

/** Batches and their rows are kept for 30 days after their last change, then purged. */
const BATCH_RECORD_TTL_SECONDS = 30 * 24 * 3600

/** The issuer's Credo modules: tenancy. The OID4VCI endpoints are the lean path's (docs/PROTOCOL-PATH.md). */
function issuerModules() {
  return () => ({ tenants: new TenantsModule() })
}

export type IssuerRuntime = RuntimeAgent<ReturnType<ReturnType<typeof issuerModules>>> & {
  /** Offers and their issuance sessions. */
  offers: OfferMaker
  /** Issuer id → tenant, profile and key, cached per instance. */
  issuers: IssuerDirectory
  /** The bulk-offer queue (producer side), when REDIS_URL is configured. */
  offerBatches?: OfferBatchQueue
  /** Approved claims of deferred offers, when REDIS_URL is configured. */
  deferredClaims?: DeferredClaimsQueue
  /** Status lists, credential statuses and their published tokens (docs/REVOCATION.md). */
  credentialStatus: CredentialStatusService
  /** The bulk status-change queue (producer side), when REDIS_URL is configured. */
  statusChanges?: StatusChangeQueue
}

/**
 * Builds the issuer: its agent (storage, KMS, tenants), the OID4VCI endpoints under /oid4vci
 * (the lean path) and the REST API on the same express app. `server.ts` listens; tests import this.
 */
export async function createIssuerApp(
  config: RuntimeConfig,
  logger: Logger,
  batchConfig: BatchConfig = loadBatchConfig(),
  protocolConfig: IssuerProtocolConfig = loadIssuerProtocolConfig(),
  statusConfig: StatusListConfig = loadStatusListConfig(),
): Promise<IssuerRuntime> {
  const agentRuntime = await createRuntimeAgent(config, logger, issuerModules(), {
    recordTtlSeconds: {
      [OfferBatchChunkRecord.type]: BATCH_RECORD_TTL_SECONDS,
      [OfferBatchRecord.type]: BATCH_RECORD_TTL_SECONDS,
    },
  })
  const credentialIssuerBaseUrl = `${config.publicBaseUrl}/oid4vci`
  const { database } = agentRuntime.storage
  const schema = config.storage.schema
  const statusLists = new StatusLists(database, schema, statusConfig.listSize, statusConfig.allocationBlock)
  const statuses = new CredentialStatusStore(database, schema)
  const publisher = new StatusListPublisher(
    database,
    schema,
    statusLists,
    statuses,
    statusConfig,
    credentialIssuerBaseUrl,
  )
  const credentialStatus = new CredentialStatusService(
    statusLists,
    statuses,
    publisher,
    (tenantId, offerId, change) => {
      void agentRuntime.webhooks?.emit(tenantId, {
        id: `${offerId}.status.${change.row.changedAt}`,
        type: 'credential.status_changed',
        data: { offerId, issuerId: change.row.issuerId, status: change.row.state, previousStatus: change.previous },
      })
    },
  )
  const runtime: IssuerRuntime = Object.assign(agentRuntime, {
    credentialStatus,
    offers: {
      sessions: new IssuanceSessionStore(
        agentRuntime.storage.database,
        config.storage.schema,
        config.accessTokenTtlSeconds,
      ),
      credentialIssuerBaseUrl,
    },
    issuers: new IssuerDirectory(
      agentRuntime.agent.context,
      credentialIssuerBaseUrl,
      protocolConfig.issuerMetadataCacheSeconds,
      tokenSecretsOf(protocolConfig, agentRuntime.kmsBackend),
    ),
  })
  const protocol = oid4vciRouter({
    directory: runtime.issuers,
    sessions: runtime.offers.sessions,
    config: protocolConfig,
    status: credentialStatus,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    webhooks: runtime.webhooks,
    logger,
  })
  protectProtocolEndpoints(runtime.app, runtime.rateLimits, OID4VCI_ENDPOINT_EDGES)
  runtime.app.use(statusListRouter(runtime.issuers, publisher, logger))
  runtime.app.use(protocol.router)
  const closeRuntime = runtime.close.bind(runtime)
  runtime.close = async () => {
    protocol.close()
    await closeRuntime()
  }
  if (config.redisUrl) {
    const offerBatches = new OfferBatchQueue(config.redisUrl, config.queuePrefix, batchConfig, logger)
    const deferredClaims = new DeferredClaimsQueue(
      config.redisUrl,
      config.queuePrefix,
      batchConfig.attempts,
      batchConfig.backoffMillis,
      logger,
    )
    const statusChanges = new StatusChangeQueue(
      config.redisUrl,
      config.queuePrefix,
      batchConfig.attempts,
      batchConfig.backoffMillis,
      logger,
    )
    Object.assign(runtime, { offerBatches, deferredClaims, statusChanges })
    const close = runtime.close.bind(runtime)
    runtime.close = async () => {
      await statusChanges.close()
      await offerBatches.close()
      await deferredClaims.close()
      await close()
    }
  }
  mountRestApi(runtime, {
    protocolPath: '/oid4vci',
    openApi: issuerOpenApi(config.publicBaseUrl),
    adminApiKey: config.adminApiKey,
    logger,
    tenantScopedRoutes: [
      ...managementRoutes({
        root: runtime.agent.context,
        database,
        schema,
        pages: runtime.pages,
        sessions: runtime.offers.sessions,
        directory: runtime.issuers,
        credentialIssuerBaseUrl,
      }),
      issuerRoutes(credentialIssuerBaseUrl, runtime.issuers),
      certificateRoutes(credentialIssuerBaseUrl, runtime.issuers),
      offerRoutes({
        offers: runtime.offers,
        issuers: runtime.issuers,
        deferredClaims: runtime.deferredClaims,
        deferralIntervalSeconds: batchConfig.deferredIntervalSeconds,
        statuses,
      }),
      batchRoutes(runtime.agent.context, runtime.offerBatches, batchConfig),
      statusRoutes(credentialStatus, runtime.statusChanges),
    ],
    largeBodies: [
      { path: '/offer-batches', limitBytes: batchConfig.maxBytes },
      // Up to 100,000 offer ids (about 4 MB as JSON).
      { path: '/status-change-batches', limitBytes: 8 * 1024 * 1024 },
    ],
    largeBodyGate: new LargeBodyGate({
      maxInFlight: batchConfig.uploadsInFlight,
      maxInFlightPerTenant: batchConfig.uploadsInFlightPerTenant,
    }),
    queues: {
      'offer-batches': runtime.offerBatches?.queue,
      'deferred-claims': runtime.deferredClaims?.queue,
      'status-changes': runtime.statusChanges?.queue,
    },
    webhookEvents: ISSUER_WEBHOOK_EVENTS,
    allowInsecureWebhooks: config.webhooks.allowInsecure,
  })
  return runtime
}
