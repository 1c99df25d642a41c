import Provider from 'oidc-provider'
import type { Account, ProviderClient } from './openIdProvider.js'

// The test provider's own process (OPENID_PROVIDER_SERVER in openIdProvider.ts): oidc-provider outside jest's
// VM modules, whose realm it does not share. Configuration in OPENID_PROVIDER_CONFIG.

const { port, clients, accounts } = JSON.parse(process.env.OPENID_PROVIDER_CONFIG as string) as {
  port: number
  clients: ProviderClient[]
  accounts: Account[]
}
const provider = new Provider(`http://127.0.0.1:${port}`, {
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
provider.listen(port, '127.0.0.1', () => process.stdout.write('listening\n'))
