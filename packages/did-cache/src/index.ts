export { type AddressPolicy, guardedLookup, isAllowedAddress, refusedIpLiteral } from './addressPolicy.js'
export { CachingDidResolver, type CachingDidResolverOptions } from './CachingDidResolver.js'
export {
  DID_NEGATIVE_KEY_PREFIX,
  DID_RESOLVER_KEY_PREFIX,
  isSharedKey,
  namespacedKey,
  STATUS_LIST_KEY_PREFIX,
} from './cacheKeys.js'
export {
  type CreateDidResolutionCacheOptions,
  createDidResolutionCache,
  type DidResolutionCache,
} from './createDidResolutionCache.js'
export { DidCacheError } from './DidCacheError.js'
export { DidCacheMetrics, type DidCacheMetricsSnapshot } from './DidCacheMetrics.js'
export { type FetchStatusListTokenOptions, fetchStatusListToken } from './fetchStatusListToken.js'
export { type DidCacheLogger, RedisLruCache, type RedisLruCacheOptions } from './RedisLruCache.js'
export {
  createRedisClient,
  describeRedisTarget,
  isClusterTarget,
  parseClusterNodes,
  type RedisClient,
  type RedisClientOptions,
  type RedisClusterTarget,
  type RedisTarget,
  slotPrefix,
} from './redisClient.js'
export { didWebUrl, SafeWebDidResolver, type SafeWebDidResolverOptions } from './SafeWebDidResolver.js'
export { StatusListInvalidError, StatusListUnavailableError } from './StatusListError.js'
export {
  StatusListTokenResolver,
  type StatusListTokenResolverOptions,
  type StatusReference,
} from './StatusListTokenResolver.js'
export { CACHEABLE_RESOLUTION_ERRORS, isValidCachedValue } from './validateCachedValue.js'
