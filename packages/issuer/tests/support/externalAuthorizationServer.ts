import type { JWK } from 'jose'
import { startServerProcess } from './openIdProvider.js'

/** What the external authorization server process is started with. */
export interface ExternalServerConfig {
  port: number
  /** The resource its access tokens are for (their `aud`): the credential issuer identifier. */
  resource: string
  clientId: string
  redirectUri: string
  /** Scopes it grants for the resource (the issuer's configuration scopes). */
  scopes: string[]
  /** Its private signing keys (ES256), the first signing. */
  signingKeys: JWK[]
  /** Accounts: `sub` and the attributes its access tokens carry. */
  accounts: (Record<string, unknown> & { sub: string })[]
  accessTokenTtlSeconds: number
}

/**
 * A tenant's own authorization server (panva's oidc-provider, in its own process): PAR, PKCE,
 * DPoP, and JWT access tokens (RFC 9068) for the credential issuer with the account's
 * attributes; its development login and consent pages stand for the tenant's login.
 */
export function startExternalAuthorizationServer(config: ExternalServerConfig) {
  return startServerProcess(new URL('./externalAuthorizationServerProcess.js', import.meta.url), config.port, {
    EXTERNAL_AS_CONFIG: JSON.stringify(config),
  })
}
