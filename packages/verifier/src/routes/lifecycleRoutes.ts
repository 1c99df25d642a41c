import { type BoundRoute, openApi, operation, type TenantRequestLocals } from '@attesto/agent-runtime'
import { DomainError } from '@attesto/protocol-kit'
import type { RequestHandler } from 'express'
import { z } from 'zod'
import type { VerifierDirectory } from '../protocol/VerifierDirectory.js'
import { verifierDeactivation } from '../verification/deactivatedVerifiers.js'
import {
  type PresentationRequestManagement,
  presentationRequestStatus,
} from '../verification/PresentationRequestManagement.js'
import { verifierProfiles } from '../verification/verifierDocuments.js'
import { cancelledPresentationRequestResponse } from './presentationResponses.js'
import { deletedVerifierResponse } from './responses.js'

const { answer, errors } = openApi

/** How long an instance trusts that a verifier still exists before it makes a request for it. */
const VERIFIER_CHECK_MILLIS = 10_000

export const deleteVerifier = operation({
  method: 'delete',
  path: '/verifiers/{verifierId}',
  operationId: 'deleteVerifier',
  tags: ['Verifiers'],
  summary: 'Delete a verifier; its open requests are cancelled and no new ones are made for it (repeatable)',
  description: 'Its keys stay in the KMS. Every instance refuses new requests for it within 10 s.',
  params: z.object({ verifierId: z.string() }),
  responses: { '200': answer('Deleted', deletedVerifierResponse), ...errors(401, 404) },
})

export const cancelPresentationRequest = operation({
  method: 'post',
  path: '/presentation-requests/{requestId}/cancel',
  operationId: 'cancelPresentationRequest',
  tags: ['Presentation requests'],
  summary: 'Cancel an open request: the wallet can no longer fetch or answer it',
  description: '409 presentation_request_not_cancellable (with its status) once it is decided, expired or cancelled.',
  params: z.object({ requestId: z.string() }),
  responses: { '200': answer('Cancelled', cancelledPresentationRequestResponse), ...errors(401, 404, 409) },
})

/**
 * This instance's word that a verifier still exists: the directory remembers verifiers for good,
 * so before a presentation request is made, a verifier deleted through another instance is
 * looked up again (at most every {@link VERIFIER_CHECK_MILLIS} per verifier).
 */
export interface VerifierExistenceCheck {
  /** The first handler of `POST /presentation-requests`: 404 `verifier_not_found` for a deleted verifier. */
  handler: RequestHandler
  /** Forgets that a verifier was found (it was deleted through this instance). */
  forget(tenantContextId: string, verifierId: string): void
}

export function verifierExistenceCheck(directory: VerifierDirectory): VerifierExistenceCheck {
  const checked = new Map<string, number>()
  return {
    handler: async (request, response, next) => {
      const { tenantContext } = response.locals as TenantRequestLocals
      const verifierId = (request.body as { verifierId?: unknown } | undefined)?.verifierId
      if (typeof verifierId !== 'string') return next()
      const key = `${tenantContext.contextCorrelationId}/${verifierId}`
      if ((checked.get(key) ?? 0) > Date.now()) return next()
      if (!(await verifierProfiles.find(tenantContext, verifierId))) {
        directory.forget(verifierId)
        throw new DomainError('verifier_not_found', `No verifier '${verifierId}' in this tenant`)
      }
      if (checked.size >= 10_000) checked.clear()
      checked.set(key, Date.now() + VERIFIER_CHECK_MILLIS)
      next()
    },
    forget: (tenantContextId, verifierId) => checked.delete(`${tenantContextId}/${verifierId}`),
  }
}

/**
 * - `DELETE /verifiers/:verifierId`: the verifier leaves the tenant's verifiers (kept as a
 *   deleted record; its keys stay in the KMS) and its open requests are cancelled. No instance
 *   makes a new request for it after {@link VERIFIER_CHECK_MILLIS} ({@link VerifierExistenceCheck}).
 * - `POST /presentation-requests/:requestId/cancel`: cancels an open request (409
 *   `presentation_request_not_cancellable` once it is decided, expired or cancelled).
 */
export function verifierLifecycleRoutes(options: {
  directory: VerifierDirectory
  requests: PresentationRequestManagement
  verifierCheck: VerifierExistenceCheck
}): BoundRoute[] {
  const { directory, requests, verifierCheck } = options
  const remove = deleteVerifier.handle(async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const { verifierId } = deleteVerifier.params(request)
    // Repeatable: a retry after a failure part-way finds the deleted record and finishes.
    const { record: deleted, moved } = await verifierDeactivation.deactivate(tenantContext, verifierId)
    if (moved) {
      directory.forget(verifierId)
      verifierCheck.forget(tenantContext.contextCorrelationId, verifierId)
    }
    if (!deleted) throw new DomainError('verifier_not_found', `No verifier '${verifierId}' in this tenant`)
    const cancelledRequests = await requests.cancelOpen(tenantContext.contextCorrelationId, verifierId)
    response.json({ verifierId, status: 'deleted', deletedAt: deleted.deletedAt, cancelledRequests })
  })

  const cancel = cancelPresentationRequest.handle(async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const { requestId } = cancelPresentationRequest.params(request)
    const cancelled = await requests.cancel(tenantContext.contextCorrelationId, requestId)
    if (!cancelled) {
      const session = await requests.find(tenantContext.contextCorrelationId, requestId)
      if (!session) throw new DomainError('presentation_request_not_found', `No presentation request '${requestId}'`)
      const status = presentationRequestStatus(session)
      throw new DomainError(
        'presentation_request_not_cancellable',
        `Only a pending request can be cancelled; this one is '${status}'`,
        { details: { status } },
      )
    }
    response.json({ requestId, status: 'cancelled', cancelledAt: cancelled.cancelledAt })
  })

  return [remove, cancel]
}
