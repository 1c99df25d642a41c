import { Deactivation, TenantDocumentStore } from '@attesto/agent-runtime'
import { type IssuerProfile, issuerProfiles } from './issuerProfiles.js'

/** A deactivated issuer's profile (its DID and key id), kept for the record. */
export interface DeactivatedIssuer extends IssuerProfile {
  deactivatedAt: string
}

/** Deactivated issuers of a tenant, by issuer id. */
export const deactivatedIssuers = new TenantDocumentStore<DeactivatedIssuer>(
  'deactivated-issuer',
  'issuer_not_found',
  'deactivated issuer',
)

/** The issuer's soft delete (`DELETE /issuers/:issuerId`): its profile moves to {@link deactivatedIssuers}. */
export const issuerDeactivation = new Deactivation(issuerProfiles, deactivatedIssuers, 'deactivatedAt')
