import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { AgentContext } from '@credo-ts/core'
import { RecordNotFoundError } from '@credo-ts/core'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { HttpError } from '../http/HttpError.js'
import type { TenantRecord } from '../tenancy/TenantRecord.js'
import type { TenantsApi } from '../tenancy/TenantsApi.js'

const PREFIX = 'atk'

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

function sameSecret(presented: string, expected: string): boolean {
  return timingSafeEqual(sha256(presented), sha256(expected))
}

/**
 * Issues an API key for a tenant: `atk.<tenantId>.<secret>`. Only the secret's SHA-256 is added
 * to the tenant record; the key is returned once and cannot be recovered.
 */
export async function issueTenantApiKey(tenants: TenantsApi, tenant: TenantRecord): Promise<string> {
  const secret = randomBytes(32).toString('base64url')
  tenant.apiKeyHashes = [...tenant.apiKeyHashes, sha256(secret).toString('hex')]
  await tenants.updateTenant(tenant)
  return `${PREFIX}.${tenant.id}.${secret}`
}

function bearer(request: Request): string | undefined {
  const header = request.headers.authorization
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined
}

const unauthorized = () =>
  new HttpError(401, 'unauthorized', 'Missing or invalid API key: send "Authorization: Bearer <key>"')

/** Only the admin credential from configuration (creates tenants). Without one configured, nothing passes. */
export function requireAdmin(adminApiKey: string | undefined): RequestHandler {
  return (request, _response, next) => {
    const presented = bearer(request)
    if (!adminApiKey || !presented || !sameSecret(presented, adminApiKey)) return next(unauthorized())
    next()
  }
}

export interface TenantRequestLocals {
  tenant: TenantRecord
  tenantContext: AgentContext
}

/** How long an instance reuses a tenant record to check its keys (a revoked key stops working everywhere within this). */
const TENANT_CACHE_MILLIS = 10_000

/**
 * A tenant's API key. On success `response.locals.tenant` and `response.locals.tenantContext`
 * are set; every route under it acts in that tenant's agent context only, so another
 * tenant's resources are simply not found (404), never shown. The tenant record is reused for
 * up to 10 s per instance; a key the cached record does not know is checked against storage.
 */
export function requireTenant(tenants: TenantsApi): RequestHandler {
  const cache = new Map<string, { tenant: TenantRecord; until: number }>()
  const matches = (tenant: TenantRecord, hash: Buffer) =>
    tenant.apiKeyHashes.some((stored) => timingSafeEqual(Buffer.from(stored, 'hex'), hash))
  return async (request: Request, response: Response, next: NextFunction) => {
    const [prefix, tenantId, secret, ...rest] = (bearer(request) ?? '').split('.')
    if (prefix !== PREFIX || !tenantId || !secret || rest.length > 0) return next(unauthorized())
    try {
      const hash = sha256(secret)
      const cached = cache.get(tenantId)
      let tenant = cached && cached.until > Date.now() && matches(cached.tenant, hash) ? cached.tenant : undefined
      if (!tenant) {
        const stored = await tenants.getTenantById(tenantId)
        if (!matches(stored, hash)) return next(unauthorized())
        if (cache.size >= 10_000) cache.clear()
        cache.set(tenantId, { tenant: stored, until: Date.now() + TENANT_CACHE_MILLIS })
        tenant = stored
      }
      response.locals.tenant = tenant
      response.locals.tenantContext = await tenants.getTenantAgentContext(tenant.id)
      next()
    } catch (error) {
      next(error instanceof RecordNotFoundError ? unauthorized() : error)
    }
  }
}
