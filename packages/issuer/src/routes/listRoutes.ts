import {
  createdRange,
  createdRangeShape,
  decodeCursor,
  documentListHandler,
  encodeCursor,
  pageBody,
  pageQuery,
  type TenantRequestLocals,
} from '@attesto/agent-runtime'
import type { RecordPages } from '@attesto/storage-service'
import { type AgentContext, JsonTransformer } from '@credo-ts/core'
import { Router } from 'express'
import { z } from 'zod'
import { OfferBatchRecord } from '../batches/OfferBatchRecord.js'
import { batchSummary } from '../batches/offerBatches.js'
import type { OfferManagement } from '../issuance/OfferManagement.js'
import { OFFER_STATUSES, offerView } from '../issuance/offerStatus.js'
import { issuerProfiles } from '../issuers/issuerProfiles.js'
import { issuerView } from './issuerRoutes.js'

export const listIssuersQuery = pageQuery({})
export const listConfigurationsQuery = pageQuery({})
export const listOffersQuery = pageQuery({
  status: z.enum(OFFER_STATUSES).optional(),
  issuerId: z.string().min(1).max(100).optional(),
  credentialConfigurationId: z.string().min(1).max(100).optional(),
  ...createdRangeShape,
})
export const listBatchesQuery = pageQuery({})

/** Configurations have no creation time of their own: their pages are in id order. */
const BY_ID = '0'

export interface IssuerListRoutesOptions {
  root: AgentContext
  pages: RecordPages
  offers: OfferManagement
  credentialIssuerBaseUrl: string
}

/**
 * The issuer's lists, page by page (`limit`, `cursor`; the answer's `next_cursor` is null on
 * the last page): `GET /issuers`, `GET /issuers/:issuerId/credential-configurations`,
 * `GET /offers` (filters: status, issuer, configuration, created-at range) and
 * `GET /offer-batches`. Each reads only the caller's tenant.
 */
export function issuerListRoutes(options: IssuerListRoutesOptions): Router {
  const router = Router()

  router.get(
    '/issuers',
    documentListHandler({
      pages: options.pages,
      store: issuerProfiles,
      list: 'issuers',
      items: 'issuers',
      query: listIssuersQuery,
      view: (profile) => issuerView(profile, options.credentialIssuerBaseUrl),
    }),
  )

  router.get('/issuers/:issuerId/credential-configurations', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const query = listConfigurationsQuery.parse(request.query)
    const profile = await issuerProfiles.get(tenantContext, request.params.issuerId as string)
    const list = `configurations:${profile.issuerId}`
    const after = decodeCursor(list, query.cursor)?.id
    // One issuer's configurations are one document: paged in memory, in id order.
    const ids = Object.keys(profile.configurations)
      .sort()
      .filter((id) => after === undefined || id > after)
    const page = ids.slice(0, query.limit)
    const last = page[page.length - 1]
    response.json({
      credentialConfigurations: page.map((id) => profile.configurations[id]),
      next_cursor: ids.length > query.limit && last ? encodeCursor(list, { createdAtMicros: BY_ID, id: last }) : null,
    })
  })

  router.get('/offers', async (request, response) => {
    const { tenant } = response.locals as TenantRequestLocals
    const query = listOffersQuery.parse(request.query)
    const page = await options.offers.list(
      tenant.id,
      {
        ...(query.status ? { status: query.status } : {}),
        ...(query.issuerId ? { issuerId: query.issuerId } : {}),
        ...(query.credentialConfigurationId ? { credentialConfigurationId: query.credentialConfigurationId } : {}),
        ...createdRange(query),
      },
      query.limit,
      decodeCursor('offers', query.cursor),
    )
    response.json(
      pageBody('offers', 'offers', page, (session, offerId) => ({
        ...offerView(offerId, session),
        ...(session.cancelledAt ? { cancelledAt: session.cancelledAt } : {}),
      })),
    )
  })

  router.get('/offer-batches', async (request, response) => {
    const { tenant } = response.locals as TenantRequestLocals
    const query = listBatchesQuery.parse(request.query)
    // Batches live in the root partition, tagged with their tenant (index records_batches_by_tenant_idx).
    const page = await options.pages.page<Record<string, unknown>>(options.root.contextCorrelationId, {
      recordType: OfferBatchRecord.type,
      limit: query.limit,
      after: decodeCursor('offer-batches', query.cursor),
      where: (parameter) => [`tags->>'tenantId' = ${parameter(tenant.id)}`],
    })
    response.json(
      pageBody('offer-batches', 'offerBatches', page, (value) =>
        batchSummary(JsonTransformer.fromJSON(value, OfferBatchRecord)),
      ),
    )
  })

  return router
}
