import { randomBytes } from 'node:crypto'
import { AwsKmsTestServer, describeWithSoftHsm, VaultTransitTestServer } from '@attesto/test-servers'
import { AgentContext, DependencyManager } from '@credo-ts/core'
import { AwsKmsKeyManagementService } from '../src/aws/AwsKmsKeyManagementService.js'
import { KeyUnwrapError } from '../src/KeyWrapping.js'
import { LocalKeyManagementService } from '../src/local/LocalKeyManagementService.js'
import { masterKeyFromBytes } from '../src/local/masterKey.js'
import { VaultTransitKeyManagementService } from '../src/vault/VaultTransitKeyManagementService.js'
import { describeKeyWrappingConformance, privateKeyBytes } from './conformance/keyWrappingConformance.js'
import { awsKms, localKms, pkcs11Kms, vaultKms } from './support/kmsBackends.js'

// Key wrapping on every backend: the same contract against the local KMS (real PostgreSQL),
// Vault transit and AWS KMS (their in-repo test servers, or the real services when VAULT_ADDR and
// VAULT_TOKEN, or AWS_KMS_ENDPOINT, are set) and a PKCS#11 token (SoftHSM2 of this run, or the
// token PKCS11_MODULE names), then what goes over the wire to each test server.
// pkcs11Wrapping.test.ts checks the PKCS#11 wrapping key's attributes on the token.

describeKeyWrappingConformance('local', localKms)
describeKeyWrappingConformance('vault', vaultKms)
describeKeyWrappingConformance('aws', awsKms)
describeWithSoftHsm('on a PKCS#11 token', () => describeKeyWrappingConformance('pkcs11', () => pkcs11Kms('verifier')))

const context = { purpose: 'oid4vp-response-key', requestId: 'r1' }
const tenant = (id: string) =>
  new AgentContext({ dependencyManager: new DependencyManager(), contextCorrelationId: id })
const resilience = { retryBaseDelayMillis: 5, circuitBreaker: { failureThreshold: 3, resetTimeoutMillis: 200 } }

describe('local key wrapping and the master key', () => {
  it('unwraps a key wrapped under the previous master key while it is configured, and names it when not', async () => {
    const [first, second] = [masterKeyFromBytes(randomBytes(32)), masterKeyFromBytes(randomBytes(32))]
    const key = privateKeyBytes()
    const { wrappedKey } = await new LocalKeyManagementService({ masterKey: first }).wrapKey(tenant('t'), {
      key,
      context,
    })
    expect(wrappedKey).toMatch(new RegExp(`^local:v1:${first.id}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$`))
    const rotated = new LocalKeyManagementService({ masterKey: second, previousMasterKeys: [first] })
    expect(Buffer.from((await rotated.unwrapKey(tenant('t'), { wrappedKey, context })).key)).toEqual(Buffer.from(key))
    expect((await rotated.wrapKey(tenant('t'), { key, context })).wrappedKey).toContain(`:${second.id}:`)
    const without = new LocalKeyManagementService({ masterKey: second }).unwrapKey(tenant('t'), { wrappedKey, context })
    await expect(without).rejects.toBeInstanceOf(KeyUnwrapError)
    await expect(without).rejects.toThrow(`master key ${first.id}, which is not configured`)
  })
})

describe('Vault transit key wrapping on the wire (test server)', () => {
  const servers: VaultTransitTestServer[] = []
  afterAll(() => Promise.all(servers.map((server) => server.stop())))

  async function vault(options: ConstructorParameters<typeof VaultTransitTestServer>[0] = {}) {
    const server = await new VaultTransitTestServer(options).start()
    servers.push(server)
    const kms = new VaultTransitKeyManagementService({
      endpoint: server.url,
      auth: { token: server.token },
      role: 'verifier',
      prefix: 'wire',
      ...resilience,
    })
    return { server, kms }
  }

  it('encrypts under the tenant key with associated data (created by upsert) and answers Vault ciphertext', async () => {
    const { server, kms } = await vault()
    const key = privateKeyBytes()
    const { wrappedKey } = await kms.wrapKey(tenant('bank'), { key, context })
    expect(wrappedKey).toMatch(/^vault:v1:[A-Za-z0-9+/]+=*$/)
    expect(server.keyNames()).toEqual(['wire-verifier-bank-_wrap'])
    const sent = JSON.parse(server.bodies.find((body) => body.includes('plaintext')) as string)
    expect(sent).toEqual({
      plaintext: Buffer.from(key).toString('base64'),
      associated_data: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/),
      type: 'aes256-gcm96',
    })
    // The associated data names the tenant and the context, and is not secret.
    expect(Buffer.from(sent.associated_data, 'base64').toString()).toBe(
      '["attesto-key-wrapping:v1","bank",[["purpose","oid4vp-response-key"],["requestId","r1"]]]',
    )
    await kms.unwrapKey(tenant('bank'), { wrappedKey, context })
    const decrypt = JSON.parse(server.bodies.find((body) => body.includes('ciphertext')) as string)
    expect(decrypt).toEqual({ ciphertext: wrappedKey, associated_data: sent.associated_data })
    expect(server.requests).toMatchObject({ encrypt: 1, decrypt: 1 })
  })

  it('creates the wrapping key through keys/:name when upsert is disabled, non-exportable', async () => {
    const { server, kms } = await vault({ disableUpsert: true })
    const key = privateKeyBytes()
    const { wrappedKey } = await kms.wrapKey(tenant('bank'), { key, context })
    await kms.wrapKey(tenant('bank'), { key, context })
    expect(server.requests).toMatchObject({ encrypt: 3, create: 1 })
    expect(server.bodies).toContainEqual(JSON.stringify({ type: 'aes256-gcm96', exportable: false }))
    expect(Buffer.from((await kms.unwrapKey(tenant('bank'), { wrappedKey, context })).key)).toEqual(Buffer.from(key))
  })

  it('still unwraps a key wrapped before the wrapping key was rotated', async () => {
    const { server, kms } = await vault()
    const key = privateKeyBytes()
    const before = await kms.wrapKey(tenant('bank'), { key, context })
    const rotated = await fetch(`${server.url}/v1/transit/keys/wire-verifier-bank-_wrap/rotate`, {
      method: 'POST',
      headers: { 'x-vault-token': server.token },
    })
    expect(rotated.status).toBe(204)
    const after = await kms.wrapKey(tenant('bank'), { key, context })
    expect(after.wrappedKey).toMatch(/^vault:v2:/)
    for (const { wrappedKey } of [before, after]) {
      expect(Buffer.from((await kms.unwrapKey(tenant('bank'), { wrappedKey, context })).key)).toEqual(Buffer.from(key))
    }
  })

  it('never names the wrapping key after a Credo key id, and refuses a key version Vault does not have', async () => {
    const { server, kms } = await vault()
    await kms.createKey(tenant('bank'), { keyId: '_wrap', type: { kty: 'EC', crv: 'P-256' } })
    const { wrappedKey } = await kms.wrapKey(tenant('bank'), { key: privateKeyBytes(), context })
    expect(server.keyNames()).toEqual([
      expect.stringMatching(/^wire-verifier-bank-x_[0-9a-f]{40}$/),
      'wire-verifier-bank-_wrap',
    ])
    const unknownVersion = kms.unwrapKey(tenant('bank'), {
      wrappedKey: wrappedKey.replace('vault:v1:', 'vault:v9:'),
      context,
    })
    await expect(unknownVersion).rejects.toBeInstanceOf(KeyUnwrapError)
  })
})

describe('AWS KMS key wrapping on the wire (test server)', () => {
  let server: AwsKmsTestServer
  let kms: AwsKmsKeyManagementService
  beforeAll(async () => {
    server = await new AwsKmsTestServer().start()
    kms = new AwsKmsKeyManagementService({
      region: 'us-east-1',
      endpoint: server.url,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
      role: 'verifier',
      prefix: 'wire',
      ...resilience,
    })
  })
  afterAll(() => server.stop())

  it('makes one symmetric key behind the tenant alias, then sends Encrypt with the encryption context', async () => {
    const key = privateKeyBytes()
    const { wrappedKey } = await kms.wrapKey(tenant('bank'), { key, context })
    await kms.wrapKey(tenant('bank'), { key, context })
    expect(server.aliasNames()).toEqual(['alias/wire-verifier-bank-_wrap'])
    expect(server.requests).toMatchObject({ Encrypt: 3, CreateKey: 1, CreateAlias: 1 })
    const created = JSON.parse(server.bodies.find((body) => body.includes('KeySpec')) as string)
    expect(created).toMatchObject({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' })
    const encrypt = JSON.parse(server.bodies.find((body) => body.includes('"Plaintext"')) as string)
    expect(encrypt).toEqual({
      KeyId: 'alias/wire-verifier-bank-_wrap',
      Plaintext: Buffer.from(key).toString('base64'),
      EncryptionContext: { ...context, 'attesto:tenant': 'bank' },
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    })
    expect(Buffer.from((await kms.unwrapKey(tenant('bank'), { wrappedKey, context })).key)).toEqual(Buffer.from(key))
    const decrypt = JSON.parse(server.bodies.find((body) => body.includes('CiphertextBlob')) as string)
    expect(decrypt).toEqual({
      KeyId: 'alias/wire-verifier-bank-_wrap',
      CiphertextBlob: wrappedKey,
      EncryptionContext: { ...context, 'attesto:tenant': 'bank' },
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    })
  })

  it('refuses a blob of another tenant key (IncorrectKeyException) as KeyUnwrapError', async () => {
    const { wrappedKey } = await kms.wrapKey(tenant('bank'), { key: privateKeyBytes(), context })
    await kms.wrapKey(tenant('shop'), { key: privateKeyBytes(), context })
    await expect(kms.unwrapKey(tenant('shop'), { wrappedKey, context })).rejects.toBeInstanceOf(KeyUnwrapError)
  })

  it('never names the wrapping key after a Credo key id', async () => {
    await expect(kms.getPublicKey(tenant('bank'), '_wrap')).resolves.toBeNull()
    await kms.createKey(tenant('bank'), { keyId: '_wrap', type: { kty: 'EC', crv: 'P-256' } })
    expect(server.aliasNames()).toContainEqual(expect.stringMatching(/^alias\/wire-verifier-bank-x_[0-9a-f]{40}$/))
  })
})
