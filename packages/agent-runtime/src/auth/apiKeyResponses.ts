import { z } from 'zod'

/** What the API-key routes answer (a tenant's own, and the admin's), as zod schemas for the OpenAPI document. */

const dateTime = z.iso.datetime({ offset: true })

/** An API key as listed (tenantApiKeys.ts `ApiKeyView`): never its secret, never its hash. */
const apiKeyShape = {
  id: z.string().meta({ description: 'The id to revoke it by (not secret)' }),
  name: z.string().nullable(),
  prefix: z
    .string()
    .nullable()
    .meta({ description: '`atk.<tenantId>.<first 6 characters>`; null for a key made before prefixes were kept' }),
  createdAt: dateTime.nullable(),
  expiresAt: dateTime.nullable().meta({ description: 'null: the key does not expire' }),
}
const apiKeyExample = {
  id: '3b5c0a9e7f1d2c4b',
  name: 'ci',
  prefix: 'atk.0f6b7c1e-8f5d-4c1e-9d53-2a4f9c0b6e11.Xq3vT9',
  createdAt: '2026-06-30T12:00:00.000Z',
  expiresAt: null,
}

export const apiKeyListResponse = z
  .object({ apiKeys: z.array(z.object(apiKeyShape).meta({ id: 'ApiKey' })) })
  .meta({ id: 'ApiKeyList', examples: [{ apiKeys: [apiKeyExample] }] })

export const createdApiKeyResponse = z
  .object({
    ...apiKeyShape,
    apiKey: z.string().meta({ description: 'The key itself (atk.<tenantId>.<secret>); shown only here' }),
  })
  .meta({ id: 'CreatedApiKey', examples: [{ ...apiKeyExample, apiKey: 'atk.0f6b…' }] })
