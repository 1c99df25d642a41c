/** A person with an account at the test provider: their OpenID claims. */
export type Account = Record<string, unknown> & { sub: string }

export interface ProviderClient {
  client_id: string
  client_secret?: string
  token_endpoint_auth_method: 'client_secret_basic' | 'private_key_jwt'
  jwks?: { keys: object[] }
  redirect_uris: string[]
}

/**
 * The test OpenID provider's script (panva's oidc-provider with its development login and consent
 * pages), to run in a process of its own with `OPENID_PROVIDER_CONFIG` = `{ port, clients, accounts }`.
 */
export const OPENID_PROVIDER_SERVER = new URL('./openIdProviderServer.js', import.meta.url)
