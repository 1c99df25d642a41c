import { HttpError, type TenantRequestLocals } from '@attesto/agent-runtime'
import { Router } from 'express'
import type { VerifierDirectory } from '../protocol/VerifierDirectory.js'
import {
  type PresentationRequestManagement,
  presentationRequestStatus,
} from '../verification/PresentationRequestManagement.js'
import { deletedVerifiers, verifierProfiles } from '../verification/verifierDocuments.js'

/** How long an instance trusts that a verifier still exists before it makes a request for it. */
const VERIFIER_CHECK_MILLIS = 10_000

/**
 * - `DELETE /verifiers/:verifierId`: the verifier leaves the tenant's verifiers (kept as a
 *   deleted record; its keys stay in the KMS) and its open requests are cancelled. No instance
 *   makes a new request for it after {@link VERIFIER_CHECK_MILLIS}.
 * - `POST /presentation-requests/:requestId/cancel`: cancels an open request (409
 *   `presentation_request_not_cancellable` once it is decided, expired or cancelled).
 */
export function verifierLifecycleRoutes(directory: VerifierDirectory, requests: PresentationRequestManagement) {
  const router = Router()
  const checked = new Map<string, number>()

  // Before the request is made: the directory remembers verifiers for good, so a verifier deleted
  // through another instance is looked up again here (at most every 10 s per verifier).
  router.post('/presentation-requests', async (request, response, next) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const verifierId = (request.body as { verifierId?: unknown } | undefined)?.verifierId
    if (typeof verifierId !== 'string') return next()
    const key = `${tenantContext.contextCorrelationId}/${verifierId}`
    if ((checked.get(key) ?? 0) > Date.now()) return next()
    if (!(await verifierProfiles.find(tenantContext, verifierId))) {
      directory.forget(verifierId)
      throw new HttpError(404, 'verifier_not_found', `No verifier '${verifierId}' in this tenant`)
    }
    if (checked.size >= 10_000) checked.clear()
    checked.set(key, Date.now() + VERIFIER_CHECK_MILLIS)
    next()
  })

  router.delete('/verifiers/:verifierId', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const verifierId = request.params.verifierId as string
    // Repeatable: a retry after a failure part-way finds the deleted record and finishes.
    const active = await verifierProfiles.find(tenantContext, verifierId)
    let deleted = await deletedVerifiers.find(tenantContext, verifierId)
    if (active) {
      deleted = { ...active, deletedAt: new Date().toISOString() }
      await deletedVerifiers.put(tenantContext, verifierId, deleted)
      await verifierProfiles.delete(tenantContext, verifierId)
      directory.forget(verifierId)
      checked.delete(`${tenantContext.contextCorrelationId}/${verifierId}`)
    }
    if (!deleted) throw new HttpError(404, 'verifier_not_found', `No verifier '${verifierId}' in this tenant`)
    const cancelledRequests = await requests.cancelOpen(tenantContext.contextCorrelationId, verifierId)
    response.json({ verifierId, status: 'deleted', deletedAt: deleted.deletedAt, cancelledRequests })
  })

  router.post('/presentation-requests/:requestId/cancel', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const requestId = request.params.requestId as string
    const cancelled = await requests.cancel(tenantContext.contextCorrelationId, requestId)
    if (!cancelled) {
      const session = await requests.find(tenantContext.contextCorrelationId, requestId)
      if (!session) {
        throw new HttpError(404, 'presentation_request_not_found', `No presentation request '${requestId}'`)
      }
      const status = presentationRequestStatus(session)
      throw new HttpError(
        409,
        'presentation_request_not_cancellable',
        `Only a pending request can be cancelled; this one is '${status}'`,
        { status },
      )
    }
    response.json({ requestId, status: 'cancelled', cancelledAt: cancelled.cancelledAt })
  })

  return router
}
