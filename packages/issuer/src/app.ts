import {
  createRuntimeAgent,
  LargeBodyGate,
  mountRestApi,
  type RuntimeAgent,
  type RuntimeConfig,
  TenantsModule,
} from '@attesto/agent-runtime'
import type { Logger } from '@credo-ts/core'
import { OpenId4VcModule } from '@credo-ts/openid4vc'
import type { Express } from 'express'
import { type BatchConfig, loadBatchConfig } from './batches/batchConfig.js'
import { OfferBatchChunkRecord } from './batches/OfferBatchChunkRecord.js'
import { OfferBatchRecord } from './batches/OfferBatchRecord.js'
import { OfferBatchQueue } from './batches/offerBatchQueue.js'
import { DeferredClaimsQueue } from './deferred/DeferredClaimsQueue.js'
import {
  credentialRequestToCredentialMapper,
  deferredCredentialRequestToCredentialMapper,
} from './issuance/issuanceMetadata.js'
import { issuerOpenApi } from './openapi.js'
import { batchRoutes } from './routes/batchRoutes.js'
import { issuerRoutes } from './routes/issuerRoutes.js'
import { offerRoutes } from './routes/offerRoutes.js'
import { emitIssuerWebhookEvents, ISSUER_WEBHOOK_EVENTS } from './webhooks/issuerWebhooks.js'

/** Batches and their rows are kept for 30 days after their last change, then purged. */
const BATCH_RECORD_TTL_SECONDS = 30 * 24 * 3600

function issuerModules(config: RuntimeConfig) {
  return (app: Express) => ({
    tenants: new TenantsModule(),
    openid4vc: new OpenId4VcModule({
      app,
      issuer: {
        baseUrl: `${config.publicBaseUrl}/oid4vci`,
        credentialRequestToCredentialMapper,
        deferredCredentialRequestToCredentialMapper,
        accessTokenExpiresInSeconds: config.accessTokenTtlSeconds,
      },
    }),
  })
}

export type IssuerRuntime = RuntimeAgent<ReturnType<ReturnType<typeof issuerModules>>> & {
  /** The bulk-offer queue (producer side), when REDIS_URL is configured. */
  offerBatches?: OfferBatchQueue
  /** Approved claims of deferred offers, when REDIS_URL is configured. */
  deferredClaims?: DeferredClaimsQueue
}

/**
 * Builds the issuer: its agent (storage, KMS, tenants, OID4VCI endpoints under /oid4vci) and the
 * REST API on the same express app. `server.ts` listens; tests import this.
 */
export async function createIssuerApp(
  config: RuntimeConfig,
  logger: Logger,
  batchConfig: BatchConfig = loadBatchConfig(),
): Promise<IssuerRuntime> {
  const runtime: IssuerRuntime = await createRuntimeAgent(config, logger, issuerModules(config), {
    recordTtlSeconds: {
      [OfferBatchChunkRecord.type]: BATCH_RECORD_TTL_SECONDS,
      [OfferBatchRecord.type]: BATCH_RECORD_TTL_SECONDS,
    },
  })
  if (config.redisUrl) {
    const offerBatches = new OfferBatchQueue(config.redisUrl, config.queuePrefix, batchConfig)
    const deferredClaims = new DeferredClaimsQueue(
      config.redisUrl,
      config.queuePrefix,
      batchConfig.attempts,
      batchConfig.backoffMillis,
    )
    Object.assign(runtime, { offerBatches, deferredClaims })
    const close = runtime.close.bind(runtime)
    runtime.close = async () => {
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
      issuerRoutes(`${config.publicBaseUrl}/oid4vci`),
      offerRoutes({
        deferredClaims: runtime.deferredClaims,
        deferralIntervalSeconds: batchConfig.deferredIntervalSeconds,
      }),
      batchRoutes(runtime.agent.context, runtime.offerBatches, batchConfig),
    ],
    largeBodies: [{ path: '/offer-batches', limitBytes: batchConfig.maxBytes }],
    largeBodyGate: new LargeBodyGate({
      maxInFlight: batchConfig.uploadsInFlight,
      maxInFlightPerTenant: batchConfig.uploadsInFlightPerTenant,
    }),
    queues: { 'offer-batches': runtime.offerBatches?.queue, 'deferred-claims': runtime.deferredClaims?.queue },
    webhookEvents: ISSUER_WEBHOOK_EVENTS,
    allowInsecureWebhooks: config.webhooks.allowInsecure,
  })
  emitIssuerWebhookEvents(runtime)
  return runtime
}
