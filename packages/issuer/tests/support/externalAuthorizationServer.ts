import { spawn } from 'node:child_process'
import type { JWK } from 'jose'

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
export async function startExternalAuthorizationServer(config: ExternalServerConfig) {
  const child = spawn(
    process.execPath,
    [new URL('./externalAuthorizationServerProcess.js', import.meta.url).pathname],
    {
      env: { ...process.env, NODE_OPTIONS: '', EXTERNAL_AS_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let errors = ''
  child.stderr.on('data', (chunk) => (errors += chunk))
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve())
    child.on('exit', (code) => reject(new Error(`The authorization server exited (${code}): ${errors}`)))
  })
  return {
    issuer: `http://127.0.0.1:${config.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill()
      }),
  }
}
