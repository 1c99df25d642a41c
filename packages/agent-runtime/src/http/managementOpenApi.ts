import { z } from 'zod'
import { createApiKeyInput } from '../auth/apiKeyRoutes.js'
import { openApi } from './openApiDocument.js'
import { pageQuery } from './pagination.js'

/** A zod schema as JSON Schema of what a client sends (`io: 'input'`), without the `$schema` line. */
export function inputSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>
  return rest
}

/** The query parameters of a strict zod object schema. */
export function queryParameters(schema: z.ZodObject) {
  const json = inputSchema(schema) as { properties: Record<string, object>; required?: string[] }
  return Object.entries(json.properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema: property,
  }))
}

/** The answer of a list: the named array and `next_cursor`. */
export function pageResponse(name: string, item: object) {
  return {
    '200': {
      description: 'One page, in creation order then id; pass next_cursor (null on the last page) as cursor',
      ...openApi.json({
        type: 'object',
        required: [name, 'next_cursor'],
        properties: { [name]: { type: 'array', items: item }, next_cursor: { type: ['string', 'null'] } },
      }),
    },
  }
}

/**
 * Adds `paths` to an OpenAPI document: methods of a path the document has already join its
 * path item (a list beside an existing create, for example); new paths are added.
 */
export function withOpenApiPaths<Document extends { paths: Record<string, unknown> }>(
  document: Document,
  paths: Record<string, Record<string, unknown>>,
): Document {
  const merged: Record<string, unknown> = { ...document.paths }
  for (const [path, item] of Object.entries(paths)) {
    merged[path] = { ...(merged[path] as Record<string, unknown> | undefined), ...item }
  }
  return { ...document, paths: merged }
}

const apiKeyView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: ['string', 'null'] },
    prefix: { type: ['string', 'null'] },
    createdAt: { type: ['string', 'null'], format: 'date-time' },
    expiresAt: { type: ['string', 'null'], format: 'date-time' },
  },
}
const createdKey = {
  description: 'Created; apiKey is shown this once',
  ...openApi.json({ ...apiKeyView, properties: { ...apiKeyView.properties, apiKey: { type: 'string' } } }),
}

/**
 * The management paths both services share: tenant lists and keys (admin), the tenant's own
 * API keys, and the paged webhook list.
 */
export function runtimeManagementOpenApiPaths() {
  const { json, errors, pathParameter } = openApi
  const adminOnly = [{ adminApiKey: [] }]
  return {
    '/tenants': {
      get: {
        summary: 'List tenants, page by page (admin key)',
        security: adminOnly,
        parameters: queryParameters(pageQuery({})),
        responses: {
          ...pageResponse('tenants', {
            type: 'object',
            properties: { id: { type: 'string' }, label: { type: 'string' }, createdAt: { type: 'string' } },
          }),
          ...errors(400, 401),
        },
      },
    },
    '/tenants/{tenantId}/api-keys': {
      post: {
        summary: 'Give a tenant a new API key, for a tenant that lost its keys (admin key)',
        security: adminOnly,
        parameters: [pathParameter('tenantId')],
        requestBody: json(inputSchema(createApiKeyInput)),
        responses: { '201': createdKey, ...errors(400, 401, 404) },
      },
    },
    '/api-keys': {
      get: {
        summary: "The tenant's API keys: ids, names, prefixes, creation and expiry (never a secret or hash)",
        responses: {
          '200': {
            description: 'OK',
            ...json({ type: 'object', properties: { apiKeys: { type: 'array', items: apiKeyView } } }),
          },
          ...errors(401),
        },
      },
      post: {
        summary: 'Create another API key for the tenant, with an optional name and lifetime',
        requestBody: json(inputSchema(createApiKeyInput)),
        responses: { '201': createdKey, ...errors(400, 401) },
      },
    },
    '/api-keys/{keyId}': {
      delete: {
        summary:
          'Revoke an API key: refused on every instance within API_KEY_CACHE_SECONDS (10 s by default); the last key cannot be revoked',
        parameters: [pathParameter('keyId')],
        responses: { '204': { description: 'Revoked' }, ...errors(401, 404, 409) },
      },
    },
    '/webhooks': {
      get: {
        summary: "The tenant's webhooks, page by page, without their secrets",
        parameters: queryParameters(pageQuery({})),
        responses: { ...pageResponse('webhooks', { type: 'object' }), ...errors(400, 401) },
      },
    },
  }
}
