import { type AgentServices, createAgentServices, type RuntimeConfig } from '@attesto/agent-runtime'
import type { Logger } from '@credo-ts/core'
import type { BatchConfig } from '../batches/batchConfig.js'
import { OfferBatchChunkRecord } from '../batches/OfferBatchChunkRecord.js'
import { OfferBatchRecord } from '../batches/OfferBatchRecord.js'
import { IssuanceSessionStore } from '../issuance/IssuanceSessionStore.js'
import type { StatusListConfig } from '../status/statusConfig.js'
import { createCredentialStatus } from './credentialStatus.js'
import { type IssuerServices, type IssuerWork, issuerModules } from './IssuerRuntime.js'
import { createIssuerQueues } from './issuerQueues.js'

/** Batches and their rows are kept for 30 days after their last change, then purged. */
const BATCH_RECORD_TTL_SECONDS = 30 * 24 * 3600

/** The records the storage purges on their own: batches and their rows. */
export const ISSUER_RECORD_TTLS = {
  [OfferBatchChunkRecord.type]: BATCH_RECORD_TTL_SECONDS,
  [OfferBatchRecord.type]: BATCH_RECORD_TTL_SECONDS,
}

/**
 * Adds the issuer's own services to a role's agent services (with or without HTTP): the credential
 * status services, the offers' sessions and (with Redis) the queues, closed before the agent.
 */
export function addIssuerServices<Services extends AgentServices<ReturnType<ReturnType<typeof issuerModules>>>>(
  services: Services,
  logger: Logger,
  batchConfig: BatchConfig,
  statusConfig: StatusListConfig,
) {
  const { config } = services
  const credentialIssuerBaseUrl = `${config.publicBaseUrl}/oid4vci`
  const schema = config.storage.schema
  const status = createCredentialStatus(services, schema, statusConfig, credentialIssuerBaseUrl)
  const queues = services.queueConnections
    ? createIssuerQueues(services.queueConnections, batchConfig, logger)
    : undefined
  const closeServices = services.close.bind(services)
  const work: IssuerWork = {
    credentialStatus: status.credentialStatus,
    offers: {
      sessions: new IssuanceSessionStore(services.storage.database, schema, config.accessTokenTtlSeconds),
      credentialIssuerBaseUrl,
    },
    ...queues?.queues,
  }
  const issuer = Object.assign(services, work, {
    async close() {
      await queues?.close()
      await closeServices()
    },
  })
  return { issuer, credentialIssuerBaseUrl, statuses: status.statuses, publisher: status.publisher }
}

/** The issuer without express, the edge or the OpenAPI documents: what `attesto-issuer worker` runs on. */
export async function createIssuerServices(
  config: RuntimeConfig,
  logger: Logger,
  batchConfig: BatchConfig,
  statusConfig: StatusListConfig,
): Promise<IssuerServices> {
  const services = await createAgentServices(config, logger, issuerModules(), { recordTtlSeconds: ISSUER_RECORD_TTLS })
  return addIssuerServices(services, logger, batchConfig, statusConfig).issuer
}
