import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'

import { type Account, OPENID_PROVIDER_SERVER, type ProviderClient } from '@attesto/test-servers'

export type { Account, ProviderClient }

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
 * A real OpenID provider (panva's oidc-provider, in its own process) for a tenant: its
 * development login and consent pages (any login name, no password) stand for the tenant's own
 * login; ID tokens carry the profile claims (`conformIdTokenClaims: false`), PKCE is required.
 */
export async function startOpenIdProvider(port: number, clients: ProviderClient[], accounts: Account[]) {
  return startServerProcess(OPENID_PROVIDER_SERVER, port, {
    OPENID_PROVIDER_CONFIG: JSON.stringify({ port, clients, accounts }),
  })
}

/**
 * A test server in its own node process (`script`, configured by `env`), once it has printed
 * `listening`: its URL on 127.0.0.1:`port`, and `close()`.
 */
export async function startServerProcess(script: URL, port: number, env: Record<string, string>) {
  const child = spawn(process.execPath, [script.pathname], {
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let errors = ''
  child.stderr.on('data', (chunk) => (errors += chunk))
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve())
    child.on('exit', (code) => reject(new Error(`${script.pathname} exited (${code}): ${errors}`)))
  })
  return {
    issuer: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill()
      }),
  }
}

/** What {@link tenantProvider} needs of a started issuer service: its REST API. */
interface RestCaller {
  call(method: string, path: string, key?: string, body?: unknown): Promise<{ status: number; body: unknown }>
}

/**
 * Through the issuer's REST API, the tenant's identity provider (`client_secret_basic`, scope
 * `profile`, `given_name` from the ID token for `configuration`), then that provider itself
 * (oidc-provider) with `accounts`, redirecting to `callbackUrl`.
 */
export async function tenantProvider(
  service: RestCaller,
  tenant: { key: string; issuerId: string; configurationId: string; callbackUrl: string },
  accounts: Account[],
) {
  const port = await freePort()
  const secret = randomBytes(24).toString('base64url')
  const set = await service.call('PUT', '/identity-provider', tenant.key, {
    issuer: `http://127.0.0.1:${port}`,
    clientId: 'attesto',
    clientAuth: { method: 'client_secret_basic', clientSecret: secret },
    scopes: ['profile'],
    claimsSources: {
      [`${tenant.issuerId}/${tenant.configurationId}`]: { type: 'id_token', mapping: { given_name: 'given_name' } },
    },
  })
  if (set.status !== 201) throw new Error(`identity provider: ${JSON.stringify(set.body)}`)
  const client: ProviderClient = {
    client_id: 'attesto',
    client_secret: secret,
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: [tenant.callbackUrl],
  }
  return startOpenIdProvider(port, [client], accounts)
}
