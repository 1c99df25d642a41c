import { z } from 'zod'
import type { ZodOpenApiPathsObject } from 'zod-openapi'
import { createApiKeyInput } from '../auth/apiKeyRoutes.js'
import { openApi } from '../openapi/openApi.js'
import { apiKeyListResponse, createdApiKeyResponse, tenantPageResponse } from './apiResponses.js'
import { listTenantsQuery } from './tenantAdminRoutes.js'

/**
 * The management paths both services share, for their OpenAPI documents: the tenant list and a
 * tenant's new key (admin key), and the tenant's own API keys.
 */
export function runtimeManagementOpenApiPaths(): ZodOpenApiPathsObject {
  const { json, answer, errors } = openApi
  const adminOnly = [{ adminApiKey: [] }]
  const keyInput = createApiKeyInput.meta({ examples: [{ name: 'ci', expiresInSeconds: 7776000 }] })
  return {
    '/tenants': {
      get: {
        operationId: 'listTenants',
        tags: ['Tenants'],
        summary: 'List tenants, page by page',
        security: adminOnly,
        requestParams: { query: listTenantsQuery },
        responses: { '200': answer('OK', tenantPageResponse), ...errors(400, 401) },
      },
    },
    '/tenants/{tenantId}/api-keys': {
      post: {
        operationId: 'createTenantApiKey',
        tags: ['Tenants'],
        summary: 'Give a tenant a new API key, for a tenant that lost its keys (shown once)',
        security: adminOnly,
        requestParams: { path: z.object({ tenantId: z.string() }) },
        requestBody: json(keyInput),
        responses: { '201': answer('Created', createdApiKeyResponse), ...errors(400, 401, 404) },
      },
    },
    '/api-keys': {
      get: {
        operationId: 'listApiKeys',
        tags: ['Tenants'],
        summary: "The tenant's API keys: ids, names, prefixes, creation and expiry (never a secret or hash)",
        responses: { '200': answer('OK', apiKeyListResponse), ...errors(401) },
      },
      post: {
        operationId: 'createApiKey',
        tags: ['Tenants'],
        summary: 'Create another API key for the tenant, with an optional name and lifetime (shown once)',
        requestBody: json(keyInput),
        responses: { '201': answer('Created', createdApiKeyResponse), ...errors(400, 401) },
      },
    },
    '/api-keys/{keyId}': {
      delete: {
        operationId: 'revokeApiKey',
        tags: ['Tenants'],
        summary: 'Revoke an API key; the last key cannot be revoked (409 last_api_key)',
        description:
          'Every instance refuses the key within API_KEY_CACHE_SECONDS (10 s by default). Create the successor first.',
        requestParams: { path: z.object({ keyId: z.string() }) },
        responses: { '204': { description: 'Revoked' }, ...errors(401, 404, 409) },
      },
    },
  }
}
