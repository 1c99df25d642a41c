import { DID_NEGATIVE_KEY_PREFIX, DID_RESOLVER_KEY_PREFIX, didOfKey, STATUS_LIST_KEY_PREFIX } from './cacheKeys.js'

/** Errors that mean "this DID does not exist (or is not a DID)": safe to cache for a while. */
export const CACHEABLE_RESOLUTION_ERRORS = new Set(['notFound', 'invalidDid'])

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Whether a value may be stored, or served, under a key. A DID resolution result must carry a
 * document whose `id` is the DID of the key, and a negative entry a cacheable error; anything
 * else under those keys is refused on write and discarded on read. A status list entry must hold
 * a compact JWS. Other keys are opaque.
 */
export function isValidCachedValue(key: string, value: unknown): boolean {
  if (key.startsWith(STATUS_LIST_KEY_PREFIX)) {
    return isObject(value) && typeof value.jwt === 'string' && /^[\w-]+\.[\w-]+\.[\w-]+$/.test(value.jwt)
  }
  const did = didOfKey(key)
  if (did === undefined) return true
  if (!isObject(value)) return false
  if (key.startsWith(DID_RESOLVER_KEY_PREFIX)) {
    return isObject(value.didDocument) && value.didDocument.id === did
  }
  if (key.startsWith(DID_NEGATIVE_KEY_PREFIX)) {
    return typeof value.error === 'string' && CACHEABLE_RESOLUTION_ERRORS.has(value.error)
  }
  return false
}
