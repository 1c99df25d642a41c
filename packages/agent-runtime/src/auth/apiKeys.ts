import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { DomainError } from '@attesto/protocol-kit'
import type { AgentContext } from '@credo-ts/core'
import { RecordNotFoundError } from '@credo-ts/core'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import type { TenantApiKey, TenantRecord } from '../tenancy/TenantRecord.js'
import type { TenantsApi } from '../tenancy/TenantsApi.js'

const PREFIX = 'atk'

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

function sameSecret(presented: string, expected: string): boolean {
  return timingSafeEqual(sha256(presented), sha256(expected))
}

export interface IssueTenantApiKeyOptions {
  /** What the key is for, shown in lists. */
  name?: string
  /** When the key stops being accepted. */
  expiresAt?: Date
}

/** Issues an API key for a tenant (see {@link createTenantApiKey}) and answers it. */
export async function issueTenantApiKey(tenants: TenantsApi, tenant: TenantRecord): Promise<string> {
  return (await createTenantApiKey(tenants, tenant)).apiKey
}

/**
 * Creates an API key for a tenant: `atk.<tenantId>.<secret>`. Only the secret's SHA-256 is added
 * to the tenant record, with the key's id, name, prefix and expiry; the key is returned once and
 * cannot be recovered.
 */
export async function createTenantApiKey(
  tenants: TenantsApi,
  tenant: TenantRecord,
  options: IssueTenantApiKeyOptions = {},
): Promise<{ apiKey: string; key: TenantApiKey }> {
  const secret = randomBytes(32).toString('base64url')
  const hash = sha256(secret).toString('hex')
  const key: TenantApiKey = {
    id: hash.slice(0, 16),
    hash,
    ...(options.name ? { name: options.name } : {}),
    prefix: `${PREFIX}.${tenant.id}.${secret.slice(0, 6)}`,
    createdAt: new Date().toISOString(),
    ...(options.expiresAt ? { expiresAt: options.expiresAt.toISOString() } : {}),
  }
  tenant.apiKeyHashes = [...tenant.apiKeyHashes, hash]
  tenant.apiKeys = [...(tenant.apiKeys ?? []), key]
  await tenants.updateTenant(tenant)
  return { apiKey: `${PREFIX}.${tenant.id}.${secret}`, key }
}

function bearer(request: Request): string | undefined {
  const header = request.headers.authorization
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined
}

const unauthorized = () =>
  new DomainError('unauthorized', 'Missing or invalid API key: send "Authorization: Bearer <key>"')

/**
 * Only an admin credential from configuration (creates and lists tenants). Several keys may be
 * accepted at once (`ADMIN_API_KEY` and `ADMIN_API_KEYS`, for a rotation); without one
 * configured, nothing passes.
 */
export function requireAdmin(adminApiKeys: string | readonly string[] | undefined): RequestHandler {
  const accepted = (typeof adminApiKeys === 'string' ? [adminApiKeys] : (adminApiKeys ?? [])).filter(Boolean)
  return (request, _response, next) => {
    const presented = bearer(request)
    // Every configured key is compared, so the time taken says nothing about which one matched.
    const matched = presented ? accepted.map((key) => sameSecret(presented, key)).includes(true) : false
    if (!matched) return next(unauthorized())
    next()
  }
}

export interface TenantRequestLocals {
  tenant: TenantRecord
  tenantContext: AgentContext
}

/** How long an instance reuses a tenant record to check its keys (a revoked key stops working everywhere within this). */
export const DEFAULT_TENANT_CACHE_MILLIS = 10_000

/**
 * A tenant's API key. On success `response.locals.tenant` and `response.locals.tenantContext`
 * are set; every route under it acts in that tenant's agent context only, so another
 * tenant's resources are simply not found (404), never shown. The tenant record is reused for
 * up to `cacheMillis` (10 s by default, `API_KEY_CACHE_SECONDS`) per instance, so a revoked key
 * stops working on every instance within that bound; a key the cached record does not know is
 * checked against storage. An expired key is refused.
 */
export function requireTenant(tenants: TenantsApi, cacheMillis = DEFAULT_TENANT_CACHE_MILLIS): RequestHandler {
  const cache = new Map<string, { tenant: TenantRecord; until: number }>()
  const matches = (tenant: TenantRecord, hash: Buffer) => {
    const found = tenant.apiKeyHashes.find((stored) => timingSafeEqual(Buffer.from(stored, 'hex'), hash))
    if (!found) return false
    const expiresAt = tenant.apiKeys?.find((key) => key.hash === found)?.expiresAt
    return !expiresAt || Date.parse(expiresAt) > Date.now()
  }
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
        cache.set(tenantId, { tenant: stored, until: Date.now() + cacheMillis })
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
