import { z } from 'zod'
import { openApi } from '../openapi/openApi.js'
import { type BoundRoute, operation } from '../routing/operation.js'
import { optionalBody } from '../routing/optionalBody.js'
import type { TenantRecord } from '../tenancy/TenantRecord.js'
import type { TenantsApi } from '../tenancy/TenantsApi.js'
import { apiKeyListResponse, createdApiKeyResponse } from './apiKeyResponses.js'
import { createTenantApiKey, type TenantRequestLocals } from './apiKeys.js'
import { listApiKeys, revokeApiKey } from './tenantApiKeys.js'

const { answer, errors } = openApi

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

/** The body of a new key (a tenant's own, or one the admin gives it), with its example. */
export const apiKeyInput = createApiKeyInput.meta({ examples: [{ name: 'ci', expiresInSeconds: 7776000 }] })

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

export const listTenantApiKeys = operation({
  method: 'get',
  path: '/api-keys',
  operationId: 'listApiKeys',
  tags: ['Tenants'],
  summary: "The tenant's API keys: ids, names, prefixes, creation and expiry (never a secret or hash)",
  responses: { '200': answer('OK', apiKeyListResponse), ...errors(401) },
})

export const createApiKey = operation({
  method: 'post',
  path: '/api-keys',
  operationId: 'createApiKey',
  tags: ['Tenants'],
  summary: 'Create another API key for the tenant, with an optional name and lifetime (shown once)',
  body: { schema: apiKeyInput },
  responses: { '201': answer('Created', createdApiKeyResponse), ...errors(400, 401) },
})

export const revokeTenantApiKey = operation({
  method: 'delete',
  path: '/api-keys/{keyId}',
  operationId: 'revokeApiKey',
  tags: ['Tenants'],
  summary: 'Revoke an API key; the last key cannot be revoked (409 last_api_key)',
  description:
    'Every instance refuses the key within API_KEY_CACHE_SECONDS (10 s by default). Create the successor first.',
  params: z.object({ keyId: z.string() }),
  responses: { '204': { description: 'Revoked' }, ...errors(401, 404, 409) },
})

/** The tenant's own API-key operations, in the document's order. */
export const API_KEY_OPERATIONS = [listTenantApiKeys, createApiKey, revokeTenantApiKey]

/**
 * A tenant's own API keys: `POST /api-keys` creates one (the key is shown once), `GET /api-keys`
 * lists them (ids, names, prefixes, creation and expiry; never a secret or hash),
 * `DELETE /api-keys/:keyId` revokes one (refused on every instance within the API-key cache
 * time, `API_KEY_CACHE_SECONDS`).
 */
export function apiKeyRoutes(tenants: TenantsApi): BoundRoute[] {
  const create = createApiKey.handle(async (request, response) => {
    const { tenant } = response.locals as TenantRequestLocals
    const input = optionalBody(createApiKey, request)
    response.status(201).json(await createApiKeyAnswer(tenants, await tenants.getTenantById(tenant.id), input))
  })

  const list = listTenantApiKeys.handle(async (_request, response) => {
    const { tenant } = response.locals as TenantRequestLocals
    // Read afresh: the record this instance authenticated with may be a few seconds old.
    response.json({ apiKeys: listApiKeys(await tenants.getTenantById(tenant.id)) })
  })

  const revoke = revokeTenantApiKey.handle(async (request, response) => {
    const { tenant } = response.locals as TenantRequestLocals
    await revokeApiKey(tenants, tenant.id, revokeTenantApiKey.params(request).keyId)
    response.status(204).end()
  })

  return [create, list, revoke]
}
