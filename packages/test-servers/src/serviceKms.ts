import { AwsKmsTestServer } from './AwsKmsTestServer.js'
import { initSoftHsmToken, requireSoftHsm, softHsmDirectory } from './softHsm.js'
import { VaultTransitTestServer } from './VaultTransitTestServer.js'

// What tests use to run a service on each KMS backend.

/** A KMS backend for a service under test: the service's environment for it, and how to stop it. */
export interface ServiceKms {
  /** Which KMS the test runs against: `local`, the in-repo test server, or the real service's address. */
  label: string
  /** `KMS_BACKEND` and the variables of that backend (merge into the service's environment). */
  env: Record<string, string>
  /** The in-repo test server, when the test runs against one (failure injection, request counts). */
  vaultServer?: VaultTransitTestServer
  awsServer?: AwsKmsTestServer
  stop(): Promise<void>
}

/**
 * The service environment for `backend`: the local KMS (the service's own master key); Vault
 * transit at VAULT_ADDR with VAULT_TOKEN when both are set, else the in-repo test server; AWS KMS
 * at AWS_KMS_ENDPOINT with the SDK's credentials and AWS_REGION when set, else the in-repo test
 * server; PKCS#11 on the token PKCS11_MODULE, PKCS11_TOKEN_LABEL and PKCS11_PIN name when set, else
 * a new SoftHSM2 token. The AWS SDK reads credentials, and SoftHSM2 its configuration
 * (SOFTHSM2_CONF), from the process environment, so for the test server and SoftHSM this sets
 * them there when none are set (services in the same process use them).
 */
export async function serviceKms(backend: 'local' | 'vault' | 'aws' | 'pkcs11'): Promise<ServiceKms> {
  if (backend === 'local') return { label: 'local', env: { KMS_BACKEND: 'local' }, stop: async () => {} }
  if (backend === 'pkcs11') return pkcs11ServiceKms()
  if (backend === 'vault') {
    const { VAULT_ADDR: address, VAULT_TOKEN: token, VAULT_TRANSIT_MOUNT: mount = 'transit' } = process.env
    if (address && token) {
      return {
        label: `vault (${address})`,
        env: { KMS_BACKEND: 'vault', VAULT_ADDR: address, VAULT_TOKEN: token, VAULT_TRANSIT_MOUNT: mount },
        stop: async () => {},
      }
    }
    const server = await new VaultTransitTestServer().start()
    return {
      label: 'vault (in-repo transit test server)',
      env: { KMS_BACKEND: 'vault', VAULT_ADDR: server.url, VAULT_TOKEN: server.token },
      vaultServer: server,
      stop: () => server.stop(),
    }
  }
  const region = process.env.AWS_REGION ?? 'us-east-1'
  if (process.env.AWS_KMS_ENDPOINT) {
    const endpoint = process.env.AWS_KMS_ENDPOINT
    return {
      label: `aws (${endpoint})`,
      env: { KMS_BACKEND: 'aws', AWS_REGION: region, AWS_KMS_ENDPOINT: endpoint },
      stop: async () => {},
    }
  }
  const server = await new AwsKmsTestServer().start()
  const credentials = { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test-secret' }
  for (const [name, value] of Object.entries(credentials)) process.env[name] ??= value
  return {
    label: 'aws (in-repo KMS JSON 1.1 test server)',
    env: { KMS_BACKEND: 'aws', AWS_REGION: region, AWS_KMS_ENDPOINT: server.url, ...credentials },
    awsServer: server,
    stop: () => server.stop(),
  }
}

function pkcs11ServiceKms(): ServiceKms {
  const { PKCS11_MODULE: module, PKCS11_TOKEN_LABEL: tokenLabel = '', PKCS11_PIN: pin = '' } = process.env
  if (module) {
    return {
      label: `pkcs11 (${module}, token ${tokenLabel})`,
      env: { KMS_BACKEND: 'pkcs11', PKCS11_MODULE: module, PKCS11_TOKEN_LABEL: tokenLabel, PKCS11_PIN: pin },
      stop: async () => {},
    }
  }
  // SoftHSM reads its configuration once per process: one token directory for all of this process.
  const directory = process.env.SOFTHSM2_CONF ? undefined : softHsmDirectory()
  if (directory) process.env.SOFTHSM2_CONF = directory.conf
  const token = initSoftHsmToken()
  return {
    label: `pkcs11 (SoftHSM2, token ${token.tokenLabel})`,
    env: {
      KMS_BACKEND: 'pkcs11',
      PKCS11_MODULE: requireSoftHsm(),
      PKCS11_TOKEN_LABEL: token.tokenLabel,
      PKCS11_PIN: token.pin,
      SOFTHSM2_CONF: process.env.SOFTHSM2_CONF as string,
    },
    stop: async () => directory?.dispose(),
  }
}
