import type { RecordPages } from '@attesto/storage-service'
import { RecordNotFoundError } from '@credo-ts/core'
import { Router } from 'express'
import { createApiKeyAnswer, createApiKeyInput } from '../auth/apiKeyRoutes.js'
import { HttpError } from '../errors/HttpError.js'
import { decodeCursor, pageBody, pageQuery } from '../pagination/pagination.js'
import { TenantRecord } from '../tenancy/TenantRecord.js'
import type { TenantsApi } from '../tenancy/TenantsApi.js'

export const listTenantsQuery = pageQuery({})

/**
 * Admin-only tenant management beside `POST /tenants`: `GET /tenants` lists tenants page by page
 * (creation order), `POST /tenants/:tenantId/api-keys` gives a tenant a new key (when it has
 * lost every key it had).
 */
export function tenantAdminRoutes(tenants: TenantsApi, pages: RecordPages): Router {
  const router = Router()

  router.get('/', async (request, response) => {
    const query = listTenantsQuery.parse(request.query)
    const page = await pages.page<{ label: string; createdAt: string }>(tenants.rootAgentContext.contextCorrelationId, {
      recordType: TenantRecord.type,
      limit: query.limit,
      after: decodeCursor('tenants', query.cursor),
    })
    response.json(
      pageBody('tenants', 'tenants', page, (tenant, id) => ({ id, label: tenant.label, createdAt: tenant.createdAt })),
    )
  })

  router.post('/:tenantId/api-keys', async (request, response) => {
    const input = createApiKeyInput.parse(request.body ?? {})
    const tenant = await tenants.getTenantById(request.params.tenantId as string).catch((error: unknown) => {
      if (error instanceof RecordNotFoundError) {
        throw new HttpError(404, 'tenant_not_found', `No tenant '${request.params.tenantId}'`)
      }
      throw error
    })
    response.status(201).json(await createApiKeyAnswer(tenants, tenant, input))
  })

  return router
}
