import type { Server } from 'node:http'
import { createServer } from 'node:net'
import Provider from 'oidc-provider'

/** A person with an account at the test provider: their OpenID claims. */
export type Account = Record<string, unknown> & { sub: string }

export interface ProviderClient {
  client_id: string
  client_secret?: string
  token_endpoint_auth_method: 'client_secret_basic' | 'private_key_jwt'
  jwks?: { keys: object[] }
  redirect_uris: string[]
}

/** A free TCP port on 127.0.0.1 (the provider's issuer URL must be known before it starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

/**
 * A real OpenID provider (panva's oidc-provider) for a tenant: its development login and consent
 * pages (any login name, no password) stand for the tenant's own login; ID tokens carry the
 * profile claims (`conformIdTokenClaims: false`), PKCE is required.
 */
export async function startOpenIdProvider(port: number, clients: ProviderClient[], accounts: Account[]) {
  const issuer = `http://127.0.0.1:${port}`
  const provider = new Provider(issuer, {
    clients: clients.map((client) => ({
      ...client,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      ...(client.token_endpoint_auth_method === 'private_key_jwt' ? { token_endpoint_auth_signing_alg: 'ES256' } : {}),
    })),
    findAccount: async (_ctx: unknown, id: string) => {
      const account = accounts.find((entry) => entry.sub === id)
      return account ? { accountId: id, claims: async () => account } : undefined
    },
    claims: { openid: ['sub'], profile: ['given_name', 'family_name', 'birthdate'], email: ['email'] },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    cookies: { keys: ['attesto-test-provider-cookie-key'] },
    features: { devInteractions: { enabled: true }, userinfo: { enabled: true } },
  })
  const server: Server = await new Promise((resolve) => {
    const listening = provider.listen(port, '127.0.0.1', () => resolve(listening))
  })
  return {
    issuer,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
