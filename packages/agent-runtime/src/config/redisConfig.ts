import { parseClusterNodes, type RedisTarget } from '@attesto/did-cache'
import { z } from 'zod'

/**
 * Where the queues, the DID cache and the shared rate limits live (docs/DEPLOYMENT.md, "Redis
 * Cluster"): one server (`REDIS_URL`) or a Redis Cluster (`REDIS_CLUSTER_NODES` seeds, with the
 * cluster's credentials and TLS). Part of the runtime's one configuration schema.
 */
export const redisEnvironment = {
  REDIS_URL: z.url().optional(),
  REDIS_CLUSTER_NODES: z
    .string()
    .optional()
    .transform((value, context) => {
      if (!value?.trim()) return undefined
      try {
        return parseClusterNodes(value)
      } catch (error) {
        context.addIssue({
          code: 'custom',
          message: `comma-separated host:port seed nodes, such as redis-0:6379,redis-1:6379 (${(error as Error).message})`,
        })
        return z.NEVER
      }
    }),
  REDIS_CLUSTER_USERNAME: z.string().min(1).optional(),
  REDIS_CLUSTER_PASSWORD: z.string().min(1).optional(),
  REDIS_CLUSTER_TLS: z.enum(['true', 'false']).default('false'),
}

type RedisEnvironment = { [Name in keyof typeof redisEnvironment]?: z.output<(typeof redisEnvironment)[Name]> }

/** The problem with a Redis configuration, or undefined when it holds together. */
export function redisConfigProblem(e: RedisEnvironment): { variable: string; message: string } | undefined {
  if (e.REDIS_URL && e.REDIS_CLUSTER_NODES) {
    return { variable: 'REDIS_CLUSTER_NODES', message: 'set REDIS_URL (one server) or REDIS_CLUSTER_NODES, not both' }
  }
  if (!e.REDIS_CLUSTER_NODES && (e.REDIS_CLUSTER_USERNAME || e.REDIS_CLUSTER_PASSWORD)) {
    return { variable: 'REDIS_CLUSTER_NODES', message: 'required when REDIS_CLUSTER_USERNAME or _PASSWORD is set' }
  }
  return undefined
}

/** The Redis target of the configuration, if any. */
export function redisTargetFrom(e: RedisEnvironment): RedisTarget | undefined {
  if (e.REDIS_CLUSTER_NODES) {
    return {
      nodes: e.REDIS_CLUSTER_NODES,
      username: e.REDIS_CLUSTER_USERNAME,
      password: e.REDIS_CLUSTER_PASSWORD,
      tls: e.REDIS_CLUSTER_TLS === 'true',
    }
  }
  return e.REDIS_URL
}
