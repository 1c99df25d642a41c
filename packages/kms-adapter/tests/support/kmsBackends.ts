import { randomBytes } from 'node:crypto'
import { type OpenStorageReturn, openStorage } from '@attesto/storage-service'
import { AwsKmsTestServer, initSoftHsmToken, requireSoftHsm, VaultTransitTestServer } from '@attesto/test-servers'
import { AgentContext, DependencyManager, InjectionSymbols, type Kms } from '@credo-ts/core'
import { AwsKmsKeyManagementService } from '../../src/aws/AwsKmsKeyManagementService.js'
import { LocalKeyManagementService } from '../../src/local/LocalKeyManagementService.js'
import { masterKeyFromBytes } from '../../src/local/masterKey.js'
import { Pkcs11KeyManagementService } from '../../src/pkcs11/Pkcs11KeyManagementService.js'
import { VaultTransitKeyManagementService } from '../../src/vault/VaultTransitKeyManagementService.js'

/** The real PostgreSQL the local backend keeps its encrypted keys in. */
export const POSTGRES_URL = process.env.ATTESTO_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export interface KmsUnderTest {
  /** `local`, `vault (test server)` or `vault (VAULT_ADDR)`. */
  label: string
  kms: Kms.KeyManagementService
  /** Signature algorithms this backend must support. */
  algorithms: { algorithm: Kms.KnownJwaSignatureAlgorithm; type: Kms.KmsCreateKeyType }[]
  /** A key type the backend does not offer. */
  unsupportedKeyType: Kms.KmsCreateKeyType
  /** A signature algorithm the backend does not offer, if there is one. */
  unsupportedSignAlgorithm?: Kms.KnownJwaSignatureAlgorithm
  /** An agent context for a tenant, able to reach the backend's dependencies. */
  context(tenantId: string): AgentContext
  vaultServer?: VaultTransitTestServer
  awsServer?: AwsKmsTestServer
  storage?: OpenStorageReturn
  schema?: string
  dispose(): Promise<void>
}

const EC_P256 = { algorithm: 'ES256', type: { kty: 'EC', crv: 'P-256' } } as const
const EC_P384 = { algorithm: 'ES384', type: { kty: 'EC', crv: 'P-384' } } as const
const ED25519 = { algorithm: 'EdDSA', type: { kty: 'OKP', crv: 'Ed25519' } } as const
const SECP256K1 = { algorithm: 'ES256K', type: { kty: 'EC', crv: 'secp256k1' } } as const

function contextsOn(dependencyManager: DependencyManager) {
  return (tenantId: string) => new AgentContext({ dependencyManager, contextCorrelationId: tenantId })
}

/** The local backend, keys encrypted in a fresh schema of the real PostgreSQL. */
export async function localKms(): Promise<KmsUnderTest> {
  const schema = `kms_${randomBytes(5).toString('hex')}`
  const storage = await openStorage({ databaseUrl: POSTGRES_URL, schema, cleanup: false })
  const dependencyManager = new DependencyManager()
  dependencyManager.registerInstance(InjectionSymbols.StorageService, storage.storageService)
  const masterKey = masterKeyFromBytes(randomBytes(32))
  return {
    label: 'local (PostgreSQL)',
    kms: new LocalKeyManagementService({ masterKey }),
    algorithms: [EC_P256, EC_P384, ED25519, SECP256K1],
    unsupportedKeyType: { kty: 'oct', algorithm: 'C20P' },
    context: contextsOn(dependencyManager),
    storage,
    schema,
    async dispose() {
      await storage.database.query(`DROP SCHEMA "${schema}" CASCADE`)
      await storage.close()
    },
  }
}

/**
 * The Vault backend: against a real Vault when VAULT_ADDR and VAULT_TOKEN are set (transit
 * mounted at VAULT_TRANSIT_MOUNT, default `transit`), else against the in-repo test server.
 */
export async function vaultKms(): Promise<KmsUnderTest> {
  const real = process.env.VAULT_ADDR && process.env.VAULT_TOKEN
  const server = real ? undefined : await new VaultTransitTestServer().start()
  const kms = new VaultTransitKeyManagementService({
    endpoint: real ? (process.env.VAULT_ADDR as string) : (server as VaultTransitTestServer).url,
    auth: { token: real ? (process.env.VAULT_TOKEN as string) : (server as VaultTransitTestServer).token },
    mount: process.env.VAULT_TRANSIT_MOUNT ?? 'transit',
    role: 'issuer',
    prefix: `t${randomBytes(4).toString('hex')}`,
    retryBaseDelayMillis: 5,
    circuitBreaker: { failureThreshold: 3, resetTimeoutMillis: 300 },
  })
  return {
    label: real ? `vault (${process.env.VAULT_ADDR})` : 'vault (in-repo transit test server)',
    kms,
    algorithms: [EC_P256, EC_P384, ED25519],
    unsupportedKeyType: { kty: 'RSA', modulusLength: 2048 },
    unsupportedSignAlgorithm: 'HS256',
    context: contextsOn(new DependencyManager()),
    vaultServer: server,
    dispose: async () => server?.stop(),
  }
}

/**
 * The AWS KMS backend: against the endpoint in AWS_KMS_ENDPOINT with the SDK's credentials
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION) when set, else against the in-repo
 * JSON 1.1 test server.
 */
export async function awsKms(): Promise<KmsUnderTest> {
  const real = process.env.AWS_KMS_ENDPOINT
  const server = real ? undefined : await new AwsKmsTestServer().start()
  const kms = new AwsKmsKeyManagementService({
    region: process.env.AWS_REGION ?? 'us-east-1',
    endpoint: real ?? (server as AwsKmsTestServer).url,
    credentials: real ? undefined : { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    role: 'issuer',
    prefix: `t${randomBytes(4).toString('hex')}`,
    retryBaseDelayMillis: 5,
    circuitBreaker: { failureThreshold: 3, resetTimeoutMillis: 300 },
  })
  return {
    label: real ? `aws (${real})` : 'aws (in-repo KMS JSON 1.1 test server)',
    kms,
    algorithms: [EC_P256, EC_P384, ED25519, SECP256K1],
    unsupportedKeyType: { kty: 'RSA', modulusLength: 2048 },
    unsupportedSignAlgorithm: 'HS256',
    context: contextsOn(new DependencyManager()),
    awsServer: server,
    dispose: async () => server?.stop(),
  }
}

/**
 * The PKCS#11 backend: on the token named by PKCS11_MODULE, PKCS11_TOKEN_LABEL and PKCS11_PIN
 * when set (an HSM through its vendor's module), else on a new SoftHSM2 token of this run.
 */
export async function pkcs11Kms(role = 'issuer'): Promise<KmsUnderTest> {
  const real = process.env.PKCS11_MODULE
  const token = real
    ? { tokenLabel: process.env.PKCS11_TOKEN_LABEL ?? '', pin: process.env.PKCS11_PIN ?? '' }
    : initSoftHsmToken()
  const kms = await Pkcs11KeyManagementService.start({
    module: real ?? requireSoftHsm(),
    ...token,
    role,
    prefix: `t${randomBytes(4).toString('hex')}`,
    retryBaseDelayMillis: 5,
    circuitBreaker: { failureThreshold: 3, resetTimeoutMillis: 300 },
  })
  return {
    label: real ? `pkcs11 (${real}, token ${token.tokenLabel})` : `pkcs11 (SoftHSM2, token ${token.tokenLabel})`,
    kms,
    algorithms: [EC_P256, EC_P384, ED25519],
    unsupportedKeyType: { kty: 'RSA', modulusLength: 2048 },
    unsupportedSignAlgorithm: 'HS256',
    context: contextsOn(new DependencyManager()),
    dispose: async () => kms.close(),
  }
}
