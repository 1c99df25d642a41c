import type { AwsKmsTestServer } from '@attesto/test-servers'
import { AgentContext, DependencyManager, Kms } from '@credo-ts/core'
import type { AwsKmsKeyManagementService } from '../src/aws/AwsKmsKeyManagementService.js'
import { expectRotationKeepsOldSignatures, independentlyVerified } from './conformance/kmsConformance.js'
import { awsKms, type KmsUnderTest } from './support/kmsBackends.js'

// Behaviour specific to the AWS KMS backend, against the in-repo JSON 1.1 test server (or the
// endpoint in AWS_KMS_ENDPOINT). Throttling and deletion-state checks need the test server.

/** Tests that need the test server's failure injection or request counts. */
const itOnTestServer = process.env.AWS_KMS_ENDPOINT ? it.skip : it

const context = (tenantId: string) =>
  new AgentContext({ dependencyManager: new DependencyManager(), contextCorrelationId: tenantId })

describe('AWS KMS backend', () => {
  let under: KmsUnderTest
  let kms: AwsKmsKeyManagementService
  beforeAll(async () => {
    under = await awsKms()
    kms = under.kms as AwsKmsKeyManagementService
  })
  afterAll(() => under.dispose())

  it('signs a message over 4 KiB as a locally computed digest (ECDSA)', async () => {
    const tenant = context('large')
    const { keyId, publicJwk } = await kms.createKey(tenant, { type: { kty: 'EC', crv: 'P-384' } })
    const data = new Uint8Array(10_000).fill(7)
    const { signature } = await kms.sign(tenant, { keyId, algorithm: 'ES384', data })
    expect(independentlyVerified(publicJwk, 'ES384', data, signature)).toBe(true)
  })

  it('refuses an Ed25519 message over 4 KiB with a clear error (KMS signs Ed25519 raw only)', async () => {
    const tenant = context('large-ed')
    const { keyId } = await kms.createKey(tenant, { type: { kty: 'OKP', crv: 'Ed25519' } })
    await expect(kms.sign(tenant, { keyId, algorithm: 'EdDSA', data: new Uint8Array(5_000) })).rejects.toThrow(
      /at most 4096 bytes with Ed25519/,
    )
  })

  it('rotates by moving the alias to a new key; old signatures still verify with the old public key', async () => {
    await expectRotationKeepsOldSignatures(kms, context('rotate'), new Uint8Array([1, 2, 3]))
  })

  itOnTestServer('deletes through the waiting period and names aliases per role and tenant', async () => {
    const server = under.awsServer as AwsKmsTestServer
    const tenant = context('plain')
    const { keyId } = await kms.createKey(tenant, { keyId: 'k1', type: { kty: 'EC', crv: 'P-256' } })
    const alias = server.aliasNames().find((name) => name.endsWith('-issuer-plain-k1'))
    expect(alias).toMatch(/^alias\/t[0-9a-f]{8}-issuer-plain-k1$/)
    expect(await kms.deleteKey(tenant, { keyId })).toBe(true)
    expect(server.aliasNames()).not.toContain(alias)
    expect(await kms.getPublicKey(tenant, keyId)).toBeNull()
    const states = server.bodies.filter((body) => body.includes('PendingWindowInDays'))
    expect(JSON.parse(states.at(-1) ?? '{}').PendingWindowInDays).toBe(7)
  })

  itOnTestServer('backs off and retries when KMS throttles', async () => {
    const server = under.awsServer as AwsKmsTestServer
    const tenant = context('throttle')
    const { keyId, publicJwk } = await kms.createKey(tenant, { type: { kty: 'EC', crv: 'P-256' } })
    server.throttleNext(2)
    const data = new Uint8Array([9])
    const { signature } = await kms.sign(tenant, { keyId, algorithm: 'ES256', data })
    expect(independentlyVerified(publicJwk, 'ES256', data, signature)).toBe(true)
  })

  itOnTestServer('reads each public key once, then serves it from the cache', async () => {
    const server = under.awsServer as AwsKmsTestServer
    const tenant = context('cache')
    const { keyId } = await kms.createKey(tenant, { type: { kty: 'EC', crv: 'P-256' } })
    const reads = server.requests.GetPublicKey ?? 0
    for (let i = 0; i < 50; i++) await kms.sign(tenant, { keyId, algorithm: 'ES256', data: new Uint8Array([i]) })
    expect(server.requests.GetPublicKey ?? 0).toBe(reads)
  })

  it('does not offer encryption', () => {
    expect(
      kms.isOperationSupported(context('x'), {
        operation: 'encrypt',
        encryption: { algorithm: 'A128GCM' },
      } as Kms.KmsOperation),
    ).toBe(false)
  })
})
