import Provider from 'oidc-provider'
import type { ExternalServerConfig } from './externalAuthorizationServer.js'

// The external authorization server's own process (started by externalAuthorizationServer.ts):
// oidc-provider issuing RFC 9068 JWT access tokens (resource indicators) for the credential
// issuer, DPoP-bound when the wallet proves a key. Configuration in EXTERNAL_AS_CONFIG.

const config = JSON.parse(process.env.EXTERNAL_AS_CONFIG as string) as ExternalServerConfig
const accountOf = (id: string) => config.accounts.find((entry) => entry.sub === id)

const provider = new Provider(`http://127.0.0.1:${config.port}`, {
  clients: [
    {
      client_id: config.clientId,
      token_endpoint_auth_method: 'none',
      redirect_uris: [config.redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'ES256',
    },
  ],
  jwks: { keys: config.signingKeys },
  scopes: ['openid', ...config.scopes],
  findAccount: async (_ctx: unknown, id: string) => {
    const account = accountOf(id)
    return account ? { accountId: id, claims: async () => ({ sub: id }) } : undefined
  },
  // The subject's attributes in the access token, as a Keycloak or Entra claim mapper puts them.
  extraTokenClaims: async (_ctx: unknown, token: { accountId?: string }) => {
    const { sub: _sub, ...claims } = (token.accountId && accountOf(token.accountId)) || { sub: '' }
    return claims
  },
  pkce: { required: () => true },
  cookies: { keys: ['attesto-test-external-as-cookie-key'] },
  features: {
    devInteractions: { enabled: true },
    dPoP: { enabled: true },
    pushedAuthorizationRequests: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => config.resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx: unknown, resource: string) => ({
        scope: config.scopes.join(' '),
        audience: resource,
        accessTokenTTL: config.accessTokenTtlSeconds,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
})
provider.listen(config.port, '127.0.0.1', () => process.stdout.write('listening\n'))
