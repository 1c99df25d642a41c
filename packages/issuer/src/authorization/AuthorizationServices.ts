import type { IssuanceSessionStore } from '../issuance/IssuanceSessionStore.js'
import type { AuthorizationSessionStore } from './AuthorizationSessionStore.js'
import type { AuthorizationConfig } from './authorizationConfig.js'
import type { OpenIdLogin } from './OpenIdLogin.js'
import type { RefreshTokenFamilies } from './RefreshTokenFamilies.js'

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
