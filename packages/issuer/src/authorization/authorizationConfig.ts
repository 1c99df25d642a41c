import { configSection, type Environment, readSection, variable } from '@attesto/agent-runtime'
import { z } from 'zod'

const AUTHORIZATION_VARIABLES = {
  AUTHORIZATION_LOGIN_TTL_SECONDS: variable(z.coerce.number().int().min(60).max(3600).default(600), {
    description:
      "authorization code flow: how long a user has to log in at the tenant's OpenID provider (60 to 3,600) ([docs/AUTHORIZATION.md](docs/AUTHORIZATION.md)); `WEBHOOK_ALLOW_INSECURE` also allows `http://` and loopback providers and claims endpoints",
  }),
  REFRESH_TOKEN_TTL_SECONDS: variable(
    z.coerce
      .number()
      .int()
      .min(300)
      .max(30 * 24 * 3600)
      .default(24 * 3600),
    { description: 'life of a refresh token family, from its first token (300 to 30 days)' },
  ),
  AUTHORIZATION_SERVER_JWKS_CACHE_SECONDS: variable(z.coerce.number().int().min(10).max(86_400).default(300), {
    description:
      "external authorization servers: how long an instance uses a server's fetched JWKS ([docs/AUTHORIZATION.md](docs/AUTHORIZATION.md#set-up-2-an-external-authorization-server)); `WEBHOOK_ALLOW_INSECURE` also allows `http://` and loopback servers",
  }),
  AUTHORIZATION_SERVER_JWKS_REFETCH_SECONDS: variable(z.coerce.number().int().min(1).max(3600).default(30), {
    description:
      'external authorization servers: at most one JWKS fetch per server within this many seconds, for tokens naming an unknown `kid`',
  }),
}

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

export const AUTHORIZATION_SECTION = configSection({
  variables: AUTHORIZATION_VARIABLES,
  from: (e): AuthorizationConfig => ({
    requestUriTtlSeconds: 60,
    loginTtlSeconds: e.AUTHORIZATION_LOGIN_TTL_SECONDS,
    codeTtlSeconds: 60,
    refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
    jwksCacheSeconds: e.AUTHORIZATION_SERVER_JWKS_CACHE_SECONDS,
    jwksRefetchSeconds: e.AUTHORIZATION_SERVER_JWKS_REFETCH_SECONDS,
  }),
})

/** The authorization code flow's configuration of `env` alone (`{}`: the defaults). */
export function loadAuthorizationConfig(env: Environment): AuthorizationConfig {
  return readSection(AUTHORIZATION_SECTION, env)
}
