import {
  createdRange,
  createdRangeShape,
  decodeCursor,
  documentListHandler,
  pageBody,
  pageQuery,
  type TenantRequestLocals,
} from '@attesto/agent-runtime'
import type { RecordPages } from '@attesto/storage-service'
import { Router } from 'express'
import { z } from 'zod'
import {
  type PresentationRequestManagement,
  presentationRequestStatus,
} from '../verification/PresentationRequestManagement.js'
import {
  presentationTemplates,
  trustAnchors,
  trustedIssuers,
  verifierProfiles,
} from '../verification/verifierDocuments.js'

export const listVerifiersQuery = pageQuery({})
export const listTrustedIssuersQuery = pageQuery({})
export const listTemplatesQuery = pageQuery({})
export const listTrustAnchorsQuery = pageQuery({})
export const listPresentationRequestsQuery = pageQuery({
  status: z.enum(['pending', 'expired', 'verified', 'rejected', 'cancelled']).optional(),
  verifierId: z.string().min(1).max(100).optional(),
  ...createdRangeShape,
})

/**
 * The verifier's lists, page by page (`limit`, `cursor`; `next_cursor` is null on the last
 * page): `GET /verifiers`, `GET /trusted-issuers`, `GET /trust-anchors`, `GET /presentation-templates` and
 * `GET /presentation-requests` (filters: status, verifier, created-at range). Each reads only
 * the caller's tenant.
 */
export function verifierListRoutes(pages: RecordPages, requests: PresentationRequestManagement): Router {
  const router = Router()

  router.get(
    '/verifiers',
    documentListHandler({
      pages,
      store: verifierProfiles,
      list: 'verifiers',
      items: 'verifiers',
      query: listVerifiersQuery,
      view: ({ verifierId, did }) => ({ verifierId, did }),
    }),
  )
  router.get(
    '/trusted-issuers',
    documentListHandler({
      pages,
      store: trustedIssuers,
      list: 'trusted-issuers',
      items: 'trustedIssuers',
      query: listTrustedIssuersQuery,
      view: (issuer) => issuer,
    }),
  )
  router.get(
    '/trust-anchors',
    documentListHandler({
      pages,
      store: trustAnchors,
      list: 'trust-anchors',
      items: 'trustAnchors',
      query: listTrustAnchorsQuery,
      view: ({ certificate: _certificate, ...anchor }) => anchor,
    }),
  )
  router.get(
    '/presentation-templates',
    documentListHandler({
      pages,
      store: presentationTemplates,
      list: 'presentation-templates',
      items: 'templates',
      query: listTemplatesQuery,
      view: (template) => template,
    }),
  )

  router.get('/presentation-requests', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const query = listPresentationRequestsQuery.parse(request.query)
    const page = await requests.list(
      tenantContext.contextCorrelationId,
      {
        ...(query.status ? { status: query.status } : {}),
        ...(query.verifierId ? { verifierId: query.verifierId } : {}),
        ...createdRange(query),
      },
      query.limit,
      decodeCursor('presentation-requests', query.cursor),
    )
    response.json(
      pageBody('presentation-requests', 'presentationRequests', page, (session, requestId) => ({
        requestId,
        verifierId: session.verifierId,
        status: presentationRequestStatus(session),
        responseMode: session.responseMode,
        createdAt: session.createdAt,
        expiresAt: session.expiresAt,
        ...(session.decidedAt ? { decidedAt: session.decidedAt } : {}),
        ...(session.cancelledAt ? { cancelledAt: session.cancelledAt } : {}),
      })),
    )
  })

  return router
}
