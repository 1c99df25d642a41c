import { Router } from 'express'
import { z } from 'zod'
import { issueTenantApiKey } from '../auth/apiKeys.js'
import type { TenantsApi } from '../tenancy/TenantsApi.js'
import type { CreatedTenantResponse } from './apiResponses.js'

export const createTenantInput = z.strictObject({ label: z.string().trim().min(1).max(200) })

/** `POST /tenants` (mounted behind the admin key): a new tenant and its first API key, shown once. */
export function tenantRoutes(tenants: TenantsApi): Router {
  const router = Router()
  router.post('/', async (request, response) => {
    const { label } = createTenantInput.parse(request.body)
    const tenant = await tenants.createTenant({ label })
    const apiKey = await issueTenantApiKey(tenants, tenant)
    const created: CreatedTenantResponse = { id: tenant.id, label: tenant.label, apiKey }
    response.status(201).json(created)
  })
  return router
}
