import type { Feature } from '@attesto/agent-runtime'
import type { RecordPages } from '@attesto/storage-service'
import type { AgentContext } from '@credo-ts/core'
import type { BatchConfig } from '../batches/batchConfig.js'
import type { OfferBatchQueue } from '../batches/offerBatchQueue.js'
import type { DeferredClaimsQueue } from '../deferred/DeferredClaimsQueue.js'
import type { OfferMaker } from '../issuance/createOffer.js'
import type { OfferManagement } from '../issuance/OfferManagement.js'
import type { IssuerDirectory } from '../issuers/IssuerDirectory.js'
import type { WalletProviderKeys } from '../protocol/clientAttestation/WalletProviderKeys.js'
import type { CredentialStatusService } from '../status/CredentialStatusService.js'
import type { CredentialStatusStore } from '../status/CredentialStatusStore.js'
import type { StatusChangeQueue } from '../status/StatusChangeQueue.js'
import { authorizationServerFeature } from './authorizationServerRoutes.js'
import { offerBatchesFeature } from './batchRoutes.js'
import { issuerCertificatesFeature } from './certificateRoutes.js'
import { identityProviderFeature } from './identityProviderRoutes.js'
import { issuersFeature } from './issuerRoutes.js'
import { issuerLifecycleFeature } from './lifecycleRoutes.js'
import { issuerListsFeature } from './listRoutes.js'
import { offersFeature } from './offerRoutes.js'
import { credentialStatusFeature } from './statusRoutes.js'
import { walletProvidersFeature } from './walletProviderRoutes.js'

/** What the issuer's features are bound to (each takes the part it needs). */
export interface IssuerServices {
  /** The root agent context (batches live in its partition). */
  root: AgentContext
  pages: RecordPages
  /** `<base>/oid4vci`: an issuer's credential issuer identifier is this plus its id. */
  credentialIssuerBaseUrl: string
  issuers: IssuerDirectory
  offers: OfferMaker
  offerManagement: OfferManagement
  /** Where approved claims of deferred offers are queued (when REDIS_URL is set). */
  deferredClaims?: DeferredClaimsQueue
  deferralIntervalSeconds: number
  statuses?: CredentialStatusStore
  offerBatches: OfferBatchQueue | undefined
  batchConfig: BatchConfig
  credentialStatus: CredentialStatusService
  statusChanges: StatusChangeQueue | undefined
  walletProviderKeys: WalletProviderKeys
}

/**
 * The issuer's REST features in mounting order (express tries routes in it: the lists and the
 * lifecycle operations come before the other routes of the same paths). The router is mounted
 * from this list, and the OpenAPI document's operations and sections are read from it.
 */
export const ISSUER_FEATURES: readonly Feature<IssuerServices>[] = [
  issuerListsFeature,
  issuerLifecycleFeature,
  issuersFeature,
  issuerCertificatesFeature,
  offersFeature,
  identityProviderFeature,
  authorizationServerFeature,
  offerBatchesFeature,
  credentialStatusFeature,
  walletProvidersFeature,
]
