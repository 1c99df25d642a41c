import { z } from 'zod'
import { type EnvironmentValues, variable } from './configSection.js'

const perMinute = (fallback: number) => z.coerce.number().int().min(0).default(fallback)

/**
 * The public edge's variables (docs/SECURITY.md, "The public edge"): where the service listens,
 * which browser origins may call the REST API, how many balancers stand in front of it, and the
 * rate limits. Part of the runtime's configuration section.
 */
export const EDGE_VARIABLES = {
  HOST: variable(z.string().min(1).default('127.0.0.1'), {
    description:
      'listening address: this machine only; `0.0.0.0` for every interface (the container image, compose files and Kubernetes ConfigMaps set it)',
  }),
  TRUST_PROXY_HOPS: variable(z.coerce.number().int().min(0).max(10).default(0), {
    description:
      'load balancers in front that append to `X-Forwarded-For`; the client address is read that many hops from the right (behind one balancer: 1, or all wallets share its address and rate limits)',
  }),
  CORS_ALLOWED_ORIGINS: variable(
    z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((origin) => origin.trim().replace(/\/$/, ''))
          .filter(Boolean),
      )
      .refine((origins) => origins.every((origin) => /^https?:\/\/[^/\s]+$/.test(origin)), {
        message: 'comma-separated origins such as https://console.example.com (scheme, host and port only)',
      }),
    {
      description:
        'comma-separated browser origins (`https://console.example.com`) allowed to call the REST API cross-origin; protocol endpoints allow every origin, without credentials ([docs/SECURITY.md](docs/SECURITY.md#the-public-edge))',
    },
  ),
  TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: variable(perMinute(300), {
    description:
      'token requests per client address and minute (over all instances with `REDIS_URL`); 0 turns the limit off',
    roles: ['issuer'],
  }),
  PROTOCOL_REQUESTS_PER_MINUTE_PER_ADDRESS: variable(perMinute(600), {
    description:
      'requests per client address and minute to the other protocol endpoints that do work (nonce, credential, deferred credential; request object, response); 0 turns the limit off ([docs/SECURITY.md](docs/SECURITY.md#the-public-edge))',
  }),
  API_REQUESTS_PER_MINUTE_PER_TENANT: variable(perMinute(3000), {
    description: 'REST requests per tenant (all its API keys together) and minute; 0 turns the limit off',
  }),
}

type EdgeEnvironment = EnvironmentValues<typeof EDGE_VARIABLES>

export interface EdgeConfig {
  /** The address the HTTP server binds (127.0.0.1 unless HOST says otherwise; containers set 0.0.0.0). */
  host: string
  /**
   * Load balancers in front of the service that append to `X-Forwarded-For`: the client address
   * is read that many hops from the right (0: the socket's peer). Behind one balancer, set 1, or
   * every wallet shares the balancer's address and its rate limit.
   */
  trustProxyHops: number
  /** Browser origins allowed to call the REST API cross-origin (none by default). */
  corsAllowedOrigins: string[]
  /** Requests per minute and client address (over all instances with Redis); 0 turns a limit off. */
  rateLimits: {
    /** The OID4VCI token endpoint. */
    tokenPerAddress: number
    /** The other protocol endpoints that do work: nonce, credential, deferred credential, request object, response. */
    protocolPerAddress: number
    /** The REST API, per tenant (all its API keys together). */
    apiPerTenant: number
  }
}

export function edgeConfigFrom(e: EdgeEnvironment): EdgeConfig {
  return {
    host: e.HOST,
    trustProxyHops: e.TRUST_PROXY_HOPS,
    corsAllowedOrigins: e.CORS_ALLOWED_ORIGINS,
    rateLimits: {
      tokenPerAddress: e.TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS,
      protocolPerAddress: e.PROTOCOL_REQUESTS_PER_MINUTE_PER_ADDRESS,
      apiPerTenant: e.API_REQUESTS_PER_MINUTE_PER_TENANT,
    },
  }
}
