import { type AgentServices, type RuntimeAgent, TenantsModule } from '@attesto/agent-runtime'
import type { OfferBatchQueue } from '../batches/offerBatchQueue.js'
import type { DeferredClaimsQueue } from '../deferred/DeferredClaimsQueue.js'
import type { OfferMaker } from '../issuance/createOffer.js'
import type { IssuerDirectory } from '../issuers/IssuerDirectory.js'
import type { CredentialStatusService } from '../status/CredentialStatusService.js'
import type { StatusChangeQueue } from '../status/StatusChangeQueue.js'

/** The issuer's Credo modules: tenancy. The OID4VCI endpoints are the lean path's (docs/PROTOCOL-PATH.md). */
export function issuerModules() {
  return () => ({ tenants: new TenantsModule() })
}

type IssuerModules = ReturnType<ReturnType<typeof issuerModules>>

/** What the issuer's endpoints and its worker both use, besides the agent. */
export interface IssuerWork {
  /** Offers and their issuance sessions. */
  offers: OfferMaker
  /** Status lists, credential statuses and their published tokens (docs/REVOCATION.md). */
  credentialStatus: CredentialStatusService
  /** The bulk-offer queue (producer side), when REDIS_URL is configured. */
  offerBatches?: OfferBatchQueue
  /** Approved claims of deferred offers, when REDIS_URL is configured. */
  deferredClaims?: DeferredClaimsQueue
  /** The bulk status-change queue (producer side), when REDIS_URL is configured. */
  statusChanges?: StatusChangeQueue
}

/** The issuer without HTTP: what the worker process runs on (storage, KMS, agent, queues). */
export type IssuerServices = AgentServices<IssuerModules> & IssuerWork

/** A running issuer: its agent runtime and the services its endpoints and workers use. */
export type IssuerRuntime = RuntimeAgent<IssuerModules> &
  IssuerWork & {
    /** Issuer id → tenant, profile and key, cached per instance. */
    issuers: IssuerDirectory
  }
