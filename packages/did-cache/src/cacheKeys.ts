import type { AgentContext } from '@credo-ts/core'

/** Credo's key for a resolved DID document (`DidResolverService.getCacheKey`). */
export const DID_RESOLVER_KEY_PREFIX = 'did:resolver:'
/** Our key for a cached "this DID does not exist" answer. */
export const DID_NEGATIVE_KEY_PREFIX = 'did:negative:'
/** Our key for a fetched status list token (public, like DID documents). */
export const STATUS_LIST_KEY_PREFIX = 'status-list:'

/**
 * DID resolution results and status list tokens are public: one entry serves every tenant.
 * Every other key is private to its agent context.
 */
export function isSharedKey(key: string): boolean {
  return (
    key.startsWith(DID_RESOLVER_KEY_PREFIX) ||
    key.startsWith(DID_NEGATIVE_KEY_PREFIX) ||
    key.startsWith(STATUS_LIST_KEY_PREFIX)
  )
}

/** The Redis (and LRU) key for a Credo cache key. */
export function namespacedKey(prefix: string, agentContext: AgentContext, key: string): string {
  return isSharedKey(key) ? `${prefix}shared:${key}` : `${prefix}ctx:${agentContext.contextCorrelationId}:${key}`
}

/** The DID a shared key is about, or undefined for other keys. */
export function didOfKey(key: string): string | undefined {
  if (key.startsWith(DID_RESOLVER_KEY_PREFIX)) return key.slice(DID_RESOLVER_KEY_PREFIX.length)
  if (key.startsWith(DID_NEGATIVE_KEY_PREFIX)) return key.slice(DID_NEGATIVE_KEY_PREFIX.length)
  return undefined
}
