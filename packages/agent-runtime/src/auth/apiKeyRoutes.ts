import { Router } from 'express'
import { z } from 'zod'
import type { TenantRecord } from '../tenancy/TenantRecord.js'
import type { TenantsApi } from '../tenancy/TenantsApi.js'
import { createTenantApiKey, type TenantRequestLocals } from './apiKeys.js'
import { listApiKeys, revokeApiKey } from './tenantApiKeys.js'

/** `POST /api-keys`: an optional name, and an optional lifetime (at most ten years). */
export const createApiKeyInput = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  expiresInSeconds: z
    .number()
    .int()
    .min(60)
    .max(10 * 365 * 24 * 3600)
    .optional(),
})

/** Creates a key for `tenant` as `input` asks and answers the 201 body (the key itself shown this once). */
export async function createApiKeyAnswer(
  tenants: TenantsApi,
  tenant: TenantRecord,
  input: z.output<typeof createApiKeyInput>,
) {
  const { apiKey, key } = await createTenantApiKey(tenants, tenant, {
    ...(input.name ? { name: input.name } : {}),
    ...(input.expiresInSeconds ? { expiresAt: new Date(Date.now() + input.expiresInSeconds * 1000) } : {}),
  })
  return {
    id: key.id,
    apiKey,
    name: key.name ?? null,
    prefix: key.prefix,
    createdAt: key.createdAt,
    expiresAt: key.expiresAt ?? null,
  }
}

/**
 * A tenant's own API keys: `POST /api-keys` creates one (the key is shown once), `GET /api-keys`
 * lists them (ids, names, prefixes, creation and expiry; never a secret or hash),
 * `DELETE /api-keys/:keyId` revokes one (refused on every instance within the API-key cache
 * time, `API_KEY_CACHE_SECONDS`).
 */
export function apiKeyRoutes(tenants: TenantsApi): Router {
  const router = Router()

  router.post('/api-keys', async (request, response) => {
    const { tenant } = response.locals as TenantRequestLocals
    const input = createApiKeyInput.parse(request.body ?? {})
    response.status(201).json(await createApiKeyAnswer(tenants, await tenants.getTenantById(tenant.id), input))
  })

  router.get('/api-keys', async (_request, response) => {
    const { tenant } = response.locals as TenantRequestLocals
    // Read afresh: the record this instance authenticated with may be a few seconds old.
    response.json({ apiKeys: listApiKeys(await tenants.getTenantById(tenant.id)) })
  })

  router.delete('/api-keys/:keyId', async (request, response) => {
    const { tenant } = response.locals as TenantRequestLocals
    await revokeApiKey(tenants, tenant.id, request.params.keyId as string)
    response.status(204).end()
  })

  return router
}
