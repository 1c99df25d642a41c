import {
  type BoundRoute,
  createdRange,
  createdRangeShape,
  decodeCursor,
  documentListHandler,
  encodeCursor,
  feature,
  openApi,
  operation,
  pageBody,
  pageQuery,
  type TenantRequestLocals,
} from '@attesto/agent-runtime'
import type { RecordPages } from '@attesto/storage-service'
import { type AgentContext, JsonTransformer } from '@credo-ts/core'
import { z } from 'zod'
import { OfferBatchRecord } from '../batches/OfferBatchRecord.js'
import { batchSummary } from '../batches/offerBatches.js'
import type { OfferManagement } from '../issuance/OfferManagement.js'
import { OFFER_STATUSES, offerView } from '../issuance/offerStatus.js'
import { issuerProfiles } from '../issuers/issuerProfiles.js'
import { issuerView } from './issuerRoutes.js'
import {
  credentialConfigurationPageResponse,
  issuerPageResponse,
  offerBatchPageResponse,
  offerPageResponse,
} from './managementResponses.js'

const { answer, errors } = openApi

const listIssuersQuery = pageQuery({})
const listConfigurationsQuery = pageQuery({})
const listOffersQuery = pageQuery({
  status: z.enum(OFFER_STATUSES).optional(),
  issuerId: z.string().min(1).max(100).optional(),
  credentialConfigurationId: z.string().min(1).max(100).optional(),
  ...createdRangeShape,
})
const listBatchesQuery = pageQuery({})

/** Configurations have no creation time of their own: their pages are in id order. */
const BY_ID = '0'

export const listIssuers = operation({
  method: 'get',
  path: '/issuers',
  operationId: 'listIssuers',
  tags: ['Issuers'],
  summary: "The tenant's active issuers, page by page",
  query: listIssuersQuery,
  responses: { '200': answer('OK', issuerPageResponse), ...errors(400, 401) },
})

export const listCredentialConfigurations = operation({
  method: 'get',
  path: '/issuers/{issuerId}/credential-configurations',
  operationId: 'listCredentialConfigurations',
  tags: ['Credential configurations'],
  summary: "An issuer's credential configurations, page by page (in id order)",
  params: z.object({ issuerId: z.string() }),
  query: listConfigurationsQuery,
  responses: { '200': answer('OK', credentialConfigurationPageResponse), ...errors(400, 401, 404) },
})

export const listOffers = operation({
  method: 'get',
  path: '/offers',
  operationId: 'listOffers',
  tags: ['Offers'],
  summary: "The tenant's offers, page by page, by status, issuer, configuration and created-at range",
  query: listOffersQuery,
  responses: { '200': answer('OK', offerPageResponse), ...errors(400, 401) },
})

export const listOfferBatches = operation({
  method: 'get',
  path: '/offer-batches',
  operationId: 'listOfferBatches',
  tags: ['Offer batches'],
  summary: "The tenant's bulk-offer batches, page by page",
  query: listBatchesQuery,
  responses: { '200': answer('OK', offerBatchPageResponse), ...errors(400, 401) },
})

/** The issuer's lists, page by page. */
export const LIST_OPERATIONS = [listIssuers, listCredentialConfigurations, listOffers, listOfferBatches]

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
export function issuerListRoutes(options: IssuerListRoutesOptions): BoundRoute[] {
  const issuers = listIssuers.handle(
    documentListHandler({
      pages: options.pages,
      store: issuerProfiles,
      list: 'issuers',
      items: 'issuers',
      query: listIssuersQuery,
      view: (profile) => issuerView(profile, options.credentialIssuerBaseUrl),
    }),
  )

  const configurations = listCredentialConfigurations.handle(async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const query = listCredentialConfigurations.query(request)
    const profile = await issuerProfiles.get(tenantContext, listCredentialConfigurations.params(request).issuerId)
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

  const offers = listOffers.handle(async (request, response) => {
    const { tenant } = response.locals as TenantRequestLocals
    const query = listOffers.query(request)
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

  const batches = listOfferBatches.handle(async (request, response) => {
    const { tenant } = response.locals as TenantRequestLocals
    const query = listOfferBatches.query(request)
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

  return [issuers, configurations, offers, batches]
}

/** The issuer's lists, mounted first (before the routes of the same paths). */
export const issuerListsFeature = feature<{
  root: AgentContext
  pages: RecordPages
  offerManagement: OfferManagement
  credentialIssuerBaseUrl: string
}>({
  name: 'issuer lists',
  operations: LIST_OPERATIONS,
  routes: ({ root, pages, offerManagement, credentialIssuerBaseUrl }) =>
    issuerListRoutes({ root, pages, offers: offerManagement, credentialIssuerBaseUrl }),
})
