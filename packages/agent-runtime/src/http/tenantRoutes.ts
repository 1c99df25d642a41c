import { z } from 'zod'
import { issueTenantApiKey } from '../auth/apiKeys.js'
import { openApi } from '../openapi/openApi.js'
import { type BoundRoute, operation } from '../routing/operation.js'
import type { TenantsApi } from '../tenancy/TenantsApi.js'
import { type CreatedTenantResponse, createdTenantResponse } from './apiResponses.js'

const { answer, errors } = openApi

export const createTenantInput = z.strictObject({ label: z.string().trim().min(1).max(200) })

export const createTenant = operation({
  method: 'post',
  path: '/tenants',
  operationId: 'createTenant',
  tags: ['Tenants'],
  summary: 'Create a tenant and its first API key (shown once)',
  security: [{ adminApiKey: [] }],
  body: { required: true, schema: createTenantInput.meta({ examples: [{ label: 'University' }] }) },
  responses: { '201': answer('Created', createdTenantResponse), ...errors(400, 401) },
})

/** `POST /tenants` (mounted behind the admin key): a new tenant and its first API key, shown once. */
export function tenantRoutes(tenants: TenantsApi): BoundRoute[] {
  return [
    createTenant.handle(async (request, response) => {
      const { label } = createTenant.body(request)
      const tenant = await tenants.createTenant({ label })
      const apiKey = await issueTenantApiKey(tenants, tenant)
      const created: CreatedTenantResponse = { id: tenant.id, label: tenant.label, apiKey }
      response.status(201).json(created)
    }),
  ]
}
