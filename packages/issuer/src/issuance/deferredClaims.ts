import { TenantDocumentStore } from '@attesto/agent-runtime'

/** Claims approved for a deferred offer, by offer id (kept apart from Credo's session record, which Credo rewrites). */
export interface ApprovedClaims {
  offerId: string
  claims: Record<string, unknown>
  approvedAt: string
}

export const approvedClaims = new TenantDocumentStore<ApprovedClaims>(
  'approved-claims',
  'approved_claims_not_found',
  'approved claims',
)
