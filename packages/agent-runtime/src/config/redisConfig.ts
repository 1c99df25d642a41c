import { parseClusterNodes, type RedisTarget } from '@attesto/did-cache'
import { z } from 'zod'
import { type ConfigProblem, variable } from './configSection.js'

/**
 * Where the queues, the DID cache and the shared rate limits live (docs/DEPLOYMENT.md, "Redis
 * Cluster"): one server (`REDIS_URL`) or a Redis Cluster (`REDIS_CLUSTER_NODES` seeds, with the
 * cluster's credentials and TLS). Part of the runtime's configuration section.
 */
export const REDIS_VARIABLES = {
  REDIS_URL: variable(z.url().optional(), {
    description:
      'Redis for the DID-resolution cache, the rate-limit counters and the seen DPoP proofs and attestation PoPs shared by all instances, and for the queues',
    defaultText: 'none (in-process DID cache, rate-limit counters and seen DPoP/attestation proofs, no bulk offers)',
    secret: true,
  }),
  REDIS_CLUSTER_NODES: variable(
    z
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
    {
      description:
        'a Redis Cluster instead of `REDIS_URL`: seed nodes `host:port,host:port`; queue keys are hash-tagged `{<QUEUE_PREFIX>}` ([docs/DEPLOYMENT.md](docs/DEPLOYMENT.md#redis-cluster))',
    },
  ),
  REDIS_CLUSTER_USERNAME: variable(z.string().min(1).optional(), { description: "the Redis Cluster's ACL user" }),
  REDIS_CLUSTER_PASSWORD: variable(z.string().min(1).optional(), {
    description: "the Redis Cluster's ACL password",
    secret: true,
  }),
  REDIS_CLUSTER_TLS: variable(z.enum(['true', 'false']).default('false'), {
    description: "TLS to the Redis Cluster's nodes",
  }),
}

type RedisEnvironment = {
  [Name in keyof typeof REDIS_VARIABLES]?: z.output<(typeof REDIS_VARIABLES)[Name]['schema']>
}

/** The problem with a Redis configuration, or undefined when it holds together. */
export function redisConfigProblem(e: RedisEnvironment): ConfigProblem | undefined {
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
