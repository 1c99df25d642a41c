const TENANT_PREFIX = 'tenant-'

/**
 * A tenant's two names. Its **tenant id** (`TenantRecord.id`) is what the REST API, webhooks and
 * role code call a tenant; its agent context's **correlation id** (`tenant-<id>`) is what Credo
 * and the storage service key its context, records and keys by. These two functions are the one
 * place one becomes the other.
 */
export function contextCorrelationIdOf(tenantId: string): string {
  return `${TENANT_PREFIX}${tenantId}`
}

/** The tenant id of a tenant's agent context (`tenant-<id>`), or undefined for the root context. */
export function tenantIdOfContext(contextCorrelationId: string): string | undefined {
  return contextCorrelationId.startsWith(TENANT_PREFIX) ? contextCorrelationId.slice(TENANT_PREFIX.length) : undefined
}
