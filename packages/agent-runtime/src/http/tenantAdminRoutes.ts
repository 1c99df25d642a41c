import { DomainError } from '@attesto/protocol-kit'
import type { RecordPages } from '@attesto/storage-service'
import { RecordNotFoundError } from '@credo-ts/core'
import { z } from 'zod'
import { createdApiKeyResponse } from '../auth/apiKeyResponses.js'
import { apiKeyInput, createApiKeyAnswer } from '../auth/apiKeyRoutes.js'
import { openApi } from '../openapi/openApi.js'
import { decodeCursor, pageBody, pageQuery } from '../pagination/pagination.js'
import { type BoundRoute, operation } from '../routing/operation.js'
import { optionalBody } from '../routing/optionalBody.js'
import { TenantRecord } from '../tenancy/TenantRecord.js'
import type { TenantsApi } from '../tenancy/TenantsApi.js'
import { tenantPageResponse } from './apiResponses.js'

const { answer, errors } = openApi
const adminOnly = [{ adminApiKey: [] }]

export const listTenantsQuery = pageQuery({})

export const listTenants = operation({
  method: 'get',
  path: '/tenants',
  operationId: 'listTenants',
  tags: ['Tenants'],
  summary: 'List tenants, page by page',
  security: adminOnly,
  query: listTenantsQuery,
  responses: { '200': answer('OK', tenantPageResponse), ...errors(400, 401) },
})

export const createApiKeyForTenant = operation({
  method: 'post',
  path: '/tenants/{tenantId}/api-keys',
  operationId: 'createTenantApiKey',
  tags: ['Tenants'],
  summary: 'Give a tenant a new API key, for a tenant that lost its keys (shown once)',
  security: adminOnly,
  params: z.object({ tenantId: z.string() }),
  body: { schema: apiKeyInput },
  responses: { '201': answer('Created', createdApiKeyResponse), ...errors(400, 401, 404) },
})

/**
 * Admin-only tenant management beside `POST /tenants`: `GET /tenants` lists tenants page by page
 * (creation order), `POST /tenants/:tenantId/api-keys` gives a tenant a new key (when it has
 * lost every key it had).
 */
export function tenantAdminRoutes(tenants: TenantsApi, pages: RecordPages): BoundRoute[] {
  const list = listTenants.handle(async (request, response) => {
    const query = listTenants.query(request)
    const page = await pages.page<{ label: string; createdAt: string }>(tenants.rootAgentContext.contextCorrelationId, {
      recordType: TenantRecord.type,
      limit: query.limit,
      after: decodeCursor('tenants', query.cursor),
    })
    response.json(
      pageBody('tenants', 'tenants', page, (tenant, id) => ({ id, label: tenant.label, createdAt: tenant.createdAt })),
    )
  })

  const createKey = createApiKeyForTenant.handle(async (request, response) => {
    const input = optionalBody(createApiKeyForTenant, request)
    const { tenantId } = createApiKeyForTenant.params(request)
    const tenant = await tenants.getTenantById(tenantId).catch((error: unknown) => {
      if (error instanceof RecordNotFoundError) throw new DomainError('tenant_not_found', `No tenant '${tenantId}'`)
      throw error
    })
    response.status(201).json(await createApiKeyAnswer(tenants, tenant, input))
  })

  return [list, createKey]
}
