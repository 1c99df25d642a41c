import { feature } from '@attesto/agent-runtime'
import type { RecordPages } from '@attesto/storage-service'
import type { VerifierDirectory } from '../protocol/VerifierDirectory.js'
import {
  cancelPresentationRequest,
  deleteVerifier,
  type VerifierExistenceCheck,
  verifierLifecycleRoutes,
} from '../routes/lifecycleRoutes.js'
import {
  listPresentationRequests,
  listPresentationTemplates,
  listTrustAnchors,
  listTrustedIssuers,
  listVerifiers,
  verifierListRoutes,
} from '../routes/listRoutes.js'
import type { PresentationRequestManagement } from '../verification/PresentationRequestManagement.js'

/** What the management routes are bound to. */
export interface ManagementServices {
  directory: VerifierDirectory
  pages: RecordPages
  requests: PresentationRequestManagement
  verifierCheck: VerifierExistenceCheck
}

/**
 * The verifier's management operations (deletion, cancellation, the lists page by page), mounted
 * before its other tenant routes. Their OpenAPI sections are those of the other operations on
 * the same resources (verifiers, trusted issuers, trust anchors, templates, requests).
 */
export const managementFeature = feature({
  name: 'management',
  operations: [
    deleteVerifier,
    cancelPresentationRequest,
    listVerifiers,
    listTrustedIssuers,
    listTrustAnchors,
    listPresentationTemplates,
    listPresentationRequests,
  ],
  routes: (services: ManagementServices) => [...verifierLifecycleRoutes(services), ...verifierListRoutes(services)],
})
