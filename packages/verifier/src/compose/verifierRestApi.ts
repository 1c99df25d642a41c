import {
  type BoundRoute,
  type Feature,
  feature,
  type OpenApiPaths,
  type OpenApiTag,
  openApiPathsOf,
  operationsOf,
} from '@attesto/agent-runtime'
import type { RecordPages } from '@attesto/storage-service'
import { managementFeature } from '../management/managementRoutes.js'
import type { VerifierDirectory } from '../protocol/VerifierDirectory.js'
import { VERIFIER_CERTIFICATE_OPERATIONS, verifierCertificateRoutes } from '../routes/certificateRoutes.js'
import { type VerifierExistenceCheck, verifierExistenceCheck } from '../routes/lifecycleRoutes.js'
import { presentationFeature } from '../routes/presentationRoutes.js'
import { sameDeviceFeature } from '../routes/sameDeviceRoutes.js'
import { templateFeature } from '../routes/templateRoutes.js'
import { trustAnchorFeature } from '../routes/trustAnchorRoutes.js'
import { verifierFeature } from '../routes/verifierRoutes.js'
import type { PresentationRequestManagement } from '../verification/PresentationRequestManagement.js'
import type { SameDeviceResults } from '../verification/SameDeviceResults.js'
import type { VerificationSessions } from '../verification/VerificationSessions.js'

/** What the verifier's REST features are bound to. */
export interface VerifierServices {
  /** PUBLIC_BASE_URL. */
  baseUrl: string
  directory: VerifierDirectory
  sessions: VerificationSessions
  pages: RecordPages
  requests: PresentationRequestManagement
  results: SameDeviceResults
  /** Shared by verifier deletion and request creation ({@link verifierExistenceCheck}). */
  verifierCheck: VerifierExistenceCheck
}

/** A verifier's X.509 identity (docs/X509.md): agent-runtime's certificate operations under `/verifiers/{verifierId}`. */
const certificates = feature<VerifierServices>({
  name: 'verifier certificates',
  operations: VERIFIER_CERTIFICATE_OPERATIONS,
  routes: ({ baseUrl, directory }) => verifierCertificateRoutes(baseUrl, directory),
})

/**
 * The verifier's REST API, in mounting order (after tenant authentication): the router mounts
 * each part's routes in this order, and the OpenAPI document describes each part's operations,
 * with its sections in this order.
 */
const VERIFIER_REST_API: readonly Feature<VerifierServices>[] = [
  managementFeature,
  verifierFeature,
  certificates,
  trustAnchorFeature,
  templateFeature,
  presentationFeature,
  sameDeviceFeature,
]

/** The routes of the verifier's REST API, in order, bound to `services`. */
export function verifierRestRoutes(services: Omit<VerifierServices, 'verifierCheck'>): BoundRoute[][] {
  const bound: VerifierServices = { ...services, verifierCheck: verifierExistenceCheck(services.directory) }
  return VERIFIER_REST_API.map((part) => part.routes(bound))
}

/** The OpenAPI paths of the verifier's REST API. */
export function verifierRestPaths(): OpenApiPaths {
  return openApiPathsOf(operationsOf(VERIFIER_REST_API))
}

/** The OpenAPI sections of the verifier's REST API, in reading order. */
export const VERIFIER_TAGS: readonly OpenApiTag[] = VERIFIER_REST_API.flatMap((part) => part.tags ?? [])
