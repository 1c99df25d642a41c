import { z } from 'zod'
import { pageAnswer } from '../openapi/pageAnswer.js'

/**
 * What the shared routes answer (tenants, health, readiness), as zod
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

const dateTime = z.iso.datetime({ offset: true })

export const tenantPageResponse = pageAnswer(
  'tenants',
  z.object({ id: z.string(), label: z.string(), createdAt: dateTime }).meta({ id: 'Tenant' }),
  'TenantPage',
  { id: '0f6b7c1e-8f5d-4c1e-9d53-2a4f9c0b6e11', label: 'University', createdAt: '2026-06-30T12:00:00.000Z' },
)
