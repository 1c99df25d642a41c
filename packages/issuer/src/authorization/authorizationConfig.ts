import { parseEnvironment } from '@attesto/agent-runtime'
import { z } from 'zod'

const schema = z.object({
  AUTHORIZATION_LOGIN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(600),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(300)
    .max(30 * 24 * 3600)
    .default(24 * 3600),
  AUTHORIZATION_SERVER_JWKS_CACHE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  AUTHORIZATION_SERVER_JWKS_REFETCH_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
})

/** The variables this module reads (checked against the deployment manifests). */
export const AUTHORIZATION_ENVIRONMENT_VARIABLES: readonly string[] = Object.keys(schema.shape)

/** The authorization code flow's limits (docs/AUTHORIZATION.md). */
export interface AuthorizationConfig {
  /** A pushed request's `request_uri` lives this long (RFC 9126 §2.2). */
  requestUriTtlSeconds: number
  /** How long a user has to log in at the provider. */
  loginTtlSeconds: number
  /** An authorization code lives this long (RFC 6749 §4.1.2: short; at most 60 s here). */
  codeTtlSeconds: number
  /** A refresh token family lives this long from its first token; a login's offer as long. */
  refreshTokenTtlSeconds: number
  /** How long an instance uses an external authorization server's fetched JWKS. */
  jwksCacheSeconds: number
  /** At most one JWKS fetch per external server within this many seconds (a token with an unknown `kid`). */
  jwksRefetchSeconds: number
}

export function loadAuthorizationConfig(env: Record<string, string | undefined> = process.env): AuthorizationConfig {
  const e = parseEnvironment(schema, env)
  return {
    requestUriTtlSeconds: 60,
    loginTtlSeconds: e.AUTHORIZATION_LOGIN_TTL_SECONDS,
    codeTtlSeconds: 60,
    refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
    jwksCacheSeconds: e.AUTHORIZATION_SERVER_JWKS_CACHE_SECONDS,
    jwksRefetchSeconds: e.AUTHORIZATION_SERVER_JWKS_REFETCH_SECONDS,
  }
}
