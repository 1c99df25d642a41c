import {
  type BoundRoute,
  createdRange,
  createdRangeShape,
  decodeCursor,
  documentListHandler,
  openApi,
  operation,
  pageBody,
  pageQuery,
  type TenantRequestLocals,
} from '@attesto/agent-runtime'
import type { RecordPages } from '@attesto/storage-service'
import type { RequestHandler } from 'express'
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
import { presentationRequestPageResponse } from './presentationResponses.js'
import {
  templatePageResponse,
  trustAnchorPageResponse,
  trustedIssuerPageResponse,
  verifierPageResponse,
} from './responses.js'

const { answer, errors } = openApi

const listVerifiersQuery = pageQuery({})
const listTrustedIssuersQuery = pageQuery({})
const listTemplatesQuery = pageQuery({})
const listTrustAnchorsQuery = pageQuery({})

export const listVerifiers = operation({
  method: 'get',
  path: '/verifiers',
  operationId: 'listVerifiers',
  tags: ['Verifiers'],
  summary: "The tenant's verifiers, page by page",
  query: listVerifiersQuery,
  responses: { '200': answer('OK', verifierPageResponse), ...errors(400, 401) },
})

export const listTrustedIssuers = operation({
  method: 'get',
  path: '/trusted-issuers',
  operationId: 'listTrustedIssuers',
  tags: ['Trusted issuers'],
  summary: "The tenant's trusted issuers, page by page",
  query: listTrustedIssuersQuery,
  responses: { '200': answer('OK', trustedIssuerPageResponse), ...errors(400, 401) },
})

export const listTrustAnchors = operation({
  method: 'get',
  path: '/trust-anchors',
  operationId: 'listTrustAnchors',
  tags: ['Trust anchors'],
  summary: "The tenant's X.509 trust anchors, page by page",
  query: listTrustAnchorsQuery,
  responses: { '200': answer('OK', trustAnchorPageResponse), ...errors(400, 401) },
})

export const listPresentationTemplates = operation({
  method: 'get',
  path: '/presentation-templates',
  operationId: 'listPresentationTemplates',
  tags: ['Presentation templates'],
  summary: "The tenant's stored DCQL queries, page by page",
  query: listTemplatesQuery,
  responses: { '200': answer('OK', templatePageResponse), ...errors(400, 401) },
})

export const listPresentationRequests = operation({
  method: 'get',
  path: '/presentation-requests',
  operationId: 'listPresentationRequests',
  tags: ['Presentation requests'],
  summary: "The tenant's presentation requests, page by page, by status, verifier and created-at range",
  query: pageQuery({
    status: z.enum(['pending', 'expired', 'verified', 'rejected', 'cancelled']).optional(),
    verifierId: z.string().min(1).max(100).optional(),
    ...createdRangeShape,
  }),
  responses: { '200': answer('OK', presentationRequestPageResponse), ...errors(400, 401) },
})

/** `GET /presentation-requests`: the tenant's requests, page by page, by status, verifier and created-at range. */
function presentationRequestList(requests: PresentationRequestManagement): RequestHandler {
  return async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const query = listPresentationRequests.query(request)
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
        expiresAt: new Date(session.expiresAt).toISOString(),
        ...(session.decidedAt ? { decidedAt: session.decidedAt } : {}),
        ...(session.cancelledAt ? { cancelledAt: session.cancelledAt } : {}),
      })),
    )
  }
}

/**
 * The verifier's lists, page by page (`limit`, `cursor`; `next_cursor` is null on the last
 * page): `GET /verifiers`, `GET /trusted-issuers`, `GET /trust-anchors`, `GET /presentation-templates` and
 * `GET /presentation-requests` (filters: status, verifier, created-at range). Each reads only
 * the caller's tenant.
 */
export function verifierListRoutes(options: {
  pages: RecordPages
  requests: PresentationRequestManagement
}): BoundRoute[] {
  const { pages, requests } = options
  return [
    listVerifiers.handle(
      documentListHandler({
        pages,
        store: verifierProfiles,
        list: 'verifiers',
        items: 'verifiers',
        query: listVerifiersQuery,
        view: ({ verifierId, did }) => ({ verifierId, did }),
      }),
    ),
    listTrustedIssuers.handle(
      documentListHandler({
        pages,
        store: trustedIssuers,
        list: 'trusted-issuers',
        items: 'trustedIssuers',
        query: listTrustedIssuersQuery,
        view: (issuer) => issuer,
      }),
    ),
    listTrustAnchors.handle(
      documentListHandler({
        pages,
        store: trustAnchors,
        list: 'trust-anchors',
        items: 'trustAnchors',
        query: listTrustAnchorsQuery,
        view: ({ certificate: _certificate, ...anchor }) => anchor,
      }),
    ),
    listPresentationTemplates.handle(
      documentListHandler({
        pages,
        store: presentationTemplates,
        list: 'presentation-templates',
        items: 'templates',
        query: listTemplatesQuery,
        view: (template) => template,
      }),
    ),
    listPresentationRequests.handle(presentationRequestList(requests)),
  ]
}
