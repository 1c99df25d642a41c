import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { freePort, OPENID_PROVIDER_SERVER } from '@attesto/test-servers'

/** The issuer tests' OpenID provider process (oidc-provider 9.13.3 with its development login and consent pages). */
const PROVIDER_SCRIPT = fileURLToPath(OPENID_PROVIDER_SERVER)

export interface OpenIdProviderOptions {
  clients: { client_id: string; client_secret: string; token_endpoint_auth_method: string; redirect_uris: string[] }[]
  accounts: (Record<string, unknown> & { sub: string })[]
}

/** A tenant's OpenID provider: its own process, whose CPU time is the provider's, not the services'. */
export interface OpenIdProviderProcess {
  issuer: string
  pid: number
  close(): Promise<void>
}

/**
 * Starts the OpenID provider the issuer's tests use (`OPENID_PROVIDER_SERVER` of
 * `@attesto/test-servers`) on a free port of 127.0.0.1: `clients` may use it, `accounts` may log in
 * (any login name of theirs, no password).
 */
export async function startOpenIdProvider(options: OpenIdProviderOptions): Promise<OpenIdProviderProcess> {
  const port = await freePort()
  const child: ChildProcess = spawn(process.execPath, [PROVIDER_SCRIPT], {
    env: { ...process.env, NODE_OPTIONS: '', OPENID_PROVIDER_CONFIG: JSON.stringify({ port, ...options }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stderr?.on('data', (chunk) => (output += chunk))
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve())
    child.once('exit', (code) => reject(new Error(`the OpenID provider exited (${code}): ${output}`)))
  })
  return {
    issuer: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    close: async () => {
      if (child.exitCode !== null) return
      await new Promise((resolve) => {
        child.once('exit', resolve)
        child.kill('SIGKILL')
      })
    },
  }
}
