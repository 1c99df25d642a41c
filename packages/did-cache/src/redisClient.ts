import { createRequire } from 'node:module'
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis'

/**
 * ioredis, loaded when a connection is first made: it is an optional peer dependency, so an app
 * that runs the in-process LRU alone (the wallet SDK) does not install it.
 */
function ioredis(): typeof import('ioredis') {
  return createRequire(import.meta.url)('ioredis') as typeof import('ioredis')
}

/** A Redis Cluster reached through seed nodes; the client discovers the other nodes itself. */
export interface RedisClusterTarget {
  /** Seed nodes (any reachable node will do; more than one survives a seed being down). */
  nodes: { host: string; port: number }[]
  /** ACL user of every node (default user when absent). */
  username?: string
  password?: string
  /** Connect to every node over TLS (`rediss://`). */
  tls?: boolean
}

/** Where Redis is: a `redis://` / `rediss://` URL of one server, or a cluster. */
export type RedisTarget = string | RedisClusterTarget

/** What every Redis user of the project holds: one server or a cluster (same commands). */
export type RedisClient = Redis | Cluster

/** The connection behaviour a caller wants (timeouts, retries, offline queue), whatever the target. */
export interface RedisClientOptions {
  /** Commands retried on a broken connection before failing (`null`: wait for Redis, BullMQ workers need this). */
  maxRetriesPerRequest?: number | null
  /** Queue commands while disconnected (default true); false fails them at once. */
  enableOfflineQueue?: boolean
  connectTimeout?: number
  commandTimeout?: number
  /** Delay before the next reconnection attempt (null: do not reconnect). */
  retryStrategy?: (attempt: number) => number | null
  /** Re-subscribe channels after a reconnect (one server only; a cluster client always does). */
  autoResubscribe?: boolean
  lazyConnect?: boolean
}

export function isClusterTarget(target: RedisTarget): target is RedisClusterTarget {
  return typeof target !== 'string'
}

/**
 * The one factory of Redis connections: an ioredis `Redis` for a URL, an ioredis `Cluster` for a
 * cluster target, with the same connection behaviour. A cluster client follows MOVED/ASK
 * redirections and, after a primary fails, refreshes its slot map and sends to the promoted replica.
 */
export function createRedisClient(target: RedisTarget, options: RedisClientOptions = {}): RedisClient {
  const { retryStrategy, enableOfflineQueue, lazyConnect, ...connection } = options
  if (!isClusterTarget(target)) {
    return new (ioredis().Redis)(target, { ...connection, enableOfflineQueue, lazyConnect, retryStrategy })
  }
  const redisOptions: ClusterOptions['redisOptions'] = {
    ...connection,
    username: target.username,
    password: target.password,
    ...(target.tls ? { tls: {} } : {}),
  }
  return new (ioredis().Cluster)(target.nodes, {
    redisOptions,
    enableOfflineQueue,
    lazyConnect,
    clusterRetryStrategy: retryStrategy ?? ((attempt: number) => Math.min(100 + attempt * 2, 2_000)),
    // During a failover the slots of the lost primary answer CLUSTERDOWN or not at all until its
    // replica is promoted: retry soon, and look for the new slot map often.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    slotsRefreshTimeout: 2_000,
    slotsRefreshInterval: 5_000,
  } satisfies ClusterOptions)
}

/**
 * The key prefix of a group of keys that must share one cluster slot (a BullMQ queue, a script's
 * keys): `{prefix}` on a cluster, so that only the text in braces is hashed; the prefix unchanged
 * on one server, so that keys written before a cluster existed keep their names.
 */
export function slotPrefix(target: RedisTarget, prefix: string): string {
  return isClusterTarget(target) ? `{${prefix}}` : prefix
}

/** `host:port` seed list (comma- or whitespace-separated) as cluster nodes; throws on a malformed entry. */
export function parseClusterNodes(list: string): RedisClusterTarget['nodes'] {
  return list
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => {
      const match = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(entry)
      const port = Number(match?.[2])
      if (!match?.[1] || port < 1 || port > 65_535) throw new Error(`"${entry}" is not host:port`)
      return { host: match[1].replace(/^\[|\]$/g, ''), port }
    })
}

/** The target as it may be logged: the URL without its password, or the cluster's seeds. */
export function describeRedisTarget(target: RedisTarget | undefined): string | undefined {
  if (target === undefined) return undefined
  if (isClusterTarget(target)) {
    const seeds = target.nodes.map((node) => `${node.host}:${node.port}`).join(',')
    return `cluster ${target.tls ? 'tls ' : ''}${seeds}`
  }
  const url = new URL(target)
  if (url.password) url.password = '***'
  return url.toString()
}
