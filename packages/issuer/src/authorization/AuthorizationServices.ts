import type { Database } from '@attesto/storage-service'
import type { IssuanceSessionStore } from '../issuance/IssuanceSessionStore.js'
import { AuthorizationSessionStore } from './AuthorizationSessionStore.js'
import type { AuthorizationConfig } from './authorizationConfig.js'
import { OpenIdLogin } from './OpenIdLogin.js'
import { RefreshTokenFamilies } from './RefreshTokenFamilies.js'

/** What the authorization code flow's endpoints work with (docs/AUTHORIZATION.md). */
export interface AuthorizationServices {
  sessions: AuthorizationSessionStore
  families: RefreshTokenFamilies
  offers: IssuanceSessionStore
  login: OpenIdLogin
  config: AuthorizationConfig
  /**
   * Allow http:// and loopback providers and claims endpoints (development and tests only): the
   * webhooks' switch, `WEBHOOK_ALLOW_INSECURE`, since both are tenant-given URLs the service calls.
   */
  allowInsecure: boolean
}

/** The authorization code flow's stores and login client, on the issuer's database schema. */
export function createAuthorizationServices(
  database: Database,
  schema: string,
  offers: IssuanceSessionStore,
  config: AuthorizationConfig,
  allowInsecure: boolean,
): AuthorizationServices {
  return {
    sessions: new AuthorizationSessionStore(database, schema),
    families: new RefreshTokenFamilies(database, schema, config.refreshTokenTtlSeconds),
    offers,
    login: new OpenIdLogin(allowInsecure),
    config,
    allowInsecure,
  }
}
