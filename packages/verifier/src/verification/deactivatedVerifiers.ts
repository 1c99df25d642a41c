import { Deactivation, TenantDocumentStore } from '@attesto/agent-runtime'
import { type VerifierProfile, verifierProfiles } from './verifierDocuments.js'

/**
 * A deactivated verifier's profile (its DID and key ids), kept for the record. Its REST API calls
 * this deleting (`DELETE /verifiers/:verifierId` answers `deleted` and `deletedAt`), and so do
 * its stored records (`deleted-verifier`, `deletedAt`).
 */
export interface DeactivatedVerifier extends VerifierProfile {
  deletedAt: string
}

/** Deactivated verifiers of a tenant, by verifier id. */
export const deactivatedVerifiers = new TenantDocumentStore<DeactivatedVerifier>(
  'deleted-verifier',
  'verifier_not_found',
  'deleted verifier',
)

/** The verifier's soft delete (`DELETE /verifiers/:verifierId`): its profile moves to {@link deactivatedVerifiers}. */
export const verifierDeactivation = new Deactivation(verifierProfiles, deactivatedVerifiers, 'deletedAt')
