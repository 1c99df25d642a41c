import { z } from 'zod'
import { pageAnswer } from '../openapi/pageAnswer.js'

/**
 * What the shared routes answer (tenants, health, readiness, the admin reports), as zod
 * schemas: the OpenAPI document is generated from them, and the routes' answers are typed by them.
 */

export const createdTenantResponse = z
  .object({
    id: z.string(),
    label: z.string(),
    apiKey: z.string().meta({ description: "The tenant's first API key (atk.<tenantId>.<secret>); shown only here" }),
  })
  .meta({
    id: 'CreatedTenant',
    examples: [{ id: '0f6b7c1e-8f5d-4c1e-9d53-2a4f9c0b6e11', label: 'University', apiKey: 'atk.0f6b…' }],
  })
export type CreatedTenantResponse = z.output<typeof createdTenantResponse>

export const healthResponse = z.object({ status: z.literal('ok') }).meta({ id: 'Health' })

const readinessCheck = z.object({ ok: z.boolean(), error: z.string().optional() })
export const readinessResponse = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.record(z.string(), readinessCheck).meta({ description: 'storage, kms (and did-cache) by name' }),
  })
  .meta({ id: 'Readiness', examples: [{ status: 'ready', checks: { storage: { ok: true }, kms: { ok: true } } }] })

const count = z.number().int().min(0)
const jobCounts = z.object({ waiting: count, active: count, delayed: count, failed: count, completed: count })
export const queueCountsResponse = z
  .object({ queues: z.record(z.string(), jobCounts).meta({ description: 'Job counts by queue name' }) })
  .meta({
    id: 'QueueCounts',
    examples: [{ queues: { webhooks: { waiting: 0, active: 0, delayed: 0, failed: 0, completed: 12 } } }],
  })

export const undeliverableResponse = z
  .object({
    undeliverable: z.array(
      z.object({
        deliveryId: z.string(),
        tenantId: z.string(),
        webhookId: z.string(),
        event: z.object({ id: z.string(), type: z.string(), createdAt: z.string() }).loose(),
        attempts: z.number().int(),
        lastError: z.string(),
        failedAt: z.string(),
      }),
    ),
  })
  .meta({ id: 'UndeliverableWebhooks' })

const dateTime = z.iso.datetime({ offset: true })

export const tenantPageResponse = pageAnswer(
  'tenants',
  z.object({ id: z.string(), label: z.string(), createdAt: dateTime }).meta({ id: 'Tenant' }),
  'TenantPage',
  { id: '0f6b7c1e-8f5d-4c1e-9d53-2a4f9c0b6e11', label: 'University', createdAt: '2026-06-30T12:00:00.000Z' },
)

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
