import { z } from 'zod'

const perMinute = (fallback: number) => z.coerce.number().int().min(0).default(fallback)

/**
 * The public edge's variables (docs/SECURITY.md, "The public edge"): where the service listens,
 * which browser origins may call the REST API, how many balancers stand in front of it, and the
 * rate limits. Part of the runtime's one configuration schema.
 */
export const edgeEnvironment = {
  HOST: z.string().min(1).default('127.0.0.1'),
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  CORS_ALLOWED_ORIGINS: z
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
  TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: perMinute(300),
  PROTOCOL_REQUESTS_PER_MINUTE_PER_ADDRESS: perMinute(600),
  API_REQUESTS_PER_MINUTE_PER_TENANT: perMinute(3000),
}

type EdgeEnvironment = { [Name in keyof typeof edgeEnvironment]: z.output<(typeof edgeEnvironment)[Name]> }

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
