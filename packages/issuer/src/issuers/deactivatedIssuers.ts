import { TenantDocumentStore } from '@attesto/agent-runtime'
import type { IssuerProfile } from './issuerProfiles.js'

/** A deactivated issuer's profile (its DID and key id), kept for the record. */
export interface DeactivatedIssuer extends IssuerProfile {
  deactivatedAt: string
}

/** Deactivated issuers of a tenant, by issuer id (`DELETE /issuers/:issuerId` moves a profile here). */
export const deactivatedIssuers = new TenantDocumentStore<DeactivatedIssuer>(
  'deactivated-issuer',
  'issuer_not_found',
  'deactivated issuer',
)
