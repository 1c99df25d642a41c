import { VaultTransitTestServer } from '@attesto/test-servers'
import { AgentContext, DependencyManager } from '@credo-ts/core'
import { KmsUnavailableError } from '../src/KmsUnavailableError.js'
import { VaultTransitKeyManagementService } from '../src/vault/VaultTransitKeyManagementService.js'
import { expectRotationKeepsOldSignatures, independentlyVerified } from './conformance/kmsConformance.js'
import { type KmsUnderTest, vaultKms } from './support/kmsBackends.js'

// Behaviour specific to the Vault backend. Rotation runs against a real Vault when VAULT_ADDR
// and VAULT_TOKEN are set; failure injection and request counting need the in-repo test server.

const data = new TextEncoder().encode('signed in Vault')

describe('Vault transit: rotation', () => {
  let under: KmsUnderTest
  beforeAll(async () => {
    under = await vaultKms()
  })
  afterAll(() => under.dispose())

  it('signs with the new version after a rotation, while old signatures still verify with the old key', async () => {
    const kms = under.kms as VaultTransitKeyManagementService
    const tenant = under.context('tenant-rotate')
    const { keyId, before, after, fresh } = await expectRotationKeepsOldSignatures(kms, tenant, data)
    expect(await kms.getPublicKey(tenant, keyId)).toEqual(after)
    expect(independentlyVerified(before, 'ES256', data, fresh)).toBe(false)
  })
})

describe('Vault transit against the test server: speed and failure behaviour', () => {
  let server: VaultTransitTestServer

  beforeAll(async () => {
    server = await new VaultTransitTestServer({ approle: { roleId: 'issuer-role', secretId: 'issuer-secret' } }).start()
  })
  afterAll(() => server.stop())

  const service = (overrides: Partial<ConstructorParameters<typeof VaultTransitKeyManagementService>[0]> = {}) =>
    new VaultTransitKeyManagementService({
      endpoint: server.url,
      auth: { token: server.token },
      role: 'issuer',
      retryBaseDelayMillis: 5,
      circuitBreaker: { failureThreshold: 3, resetTimeoutMillis: 200 },
      ...overrides,
    })

  it('reads a public key once, then serves it from the cache', async () => {
    const kms = service()
    const context = contextOf('cache')
    const { keyId } = await kms.createKey(context, { type: { kty: 'EC', crv: 'P-256' } })
    const reads = server.requests.read ?? 0
    for (let i = 0; i < 50; i++) await kms.sign(context, { keyId, algorithm: 'ES256', data })
    expect(server.requests.read ?? 0).toBe(reads)
  })

  it('retries an idempotent call through a short outage (503, sealed)', async () => {
    const kms = service()
    const context = contextOf('retry')
    const { keyId, publicJwk } = await kms.createKey(context, { type: { kty: 'OKP', crv: 'Ed25519' } })
    server.failNext(2, 503)
    const { signature } = await kms.sign(context, { keyId, algorithm: 'EdDSA', data })
    expect(independentlyVerified(publicJwk, 'EdDSA', data, signature)).toBe(true)
  })

  it('turns an outage into a fast, typed KmsUnavailableError, and recovers', async () => {
    const kms = service()
    const context = contextOf('outage')
    const { keyId } = await kms.createKey(context, { type: { kty: 'EC', crv: 'P-256' } })
    server.setDown(true)
    try {
      await expect(kms.sign(context, { keyId, algorithm: 'ES256', data })).rejects.toBeInstanceOf(KmsUnavailableError)
      // The circuit is open now: calls fail at once without touching the network.
      const before = server.bodies.length
      const started = Date.now()
      const attempts = await Promise.allSettled(
        Array.from({ length: 100 }, () => kms.sign(context, { keyId, algorithm: 'ES256', data })),
      )
      expect(attempts.every((a) => a.status === 'rejected' && a.reason instanceof KmsUnavailableError)).toBe(true)
      expect(Date.now() - started).toBeLessThan(1_000)
      expect(server.bodies.length).toBe(before)
    } finally {
      server.setDown(false)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
    await expect(kms.sign(context, { keyId, algorithm: 'ES256', data })).resolves.toHaveProperty('signature')
  })

  it('does not retry a request Vault refused (4xx): the caller gets the error at once', async () => {
    const kms = service({ auth: { token: 'wrong-token' } })
    const before = server.bodies.length
    const attempt = kms.createKey(contextOf('refused'), { type: { kty: 'EC', crv: 'P-256' } })
    await expect(attempt).rejects.toThrow(/permission denied/)
    await expect(attempt).rejects.not.toBeInstanceOf(KmsUnavailableError)
    expect(server.bodies.length - before).toBe(1)
  })

  it('logs in with AppRole', async () => {
    const kms = service({ auth: { roleId: 'issuer-role', secretId: 'issuer-secret' } })
    const context = contextOf('approle')
    const { keyId, publicJwk } = await kms.createKey(context, { type: { kty: 'EC', crv: 'P-384' } })
    const { signature } = await kms.sign(context, { keyId, algorithm: 'ES384', data })
    expect(independentlyVerified(publicJwk, 'ES384', data, signature)).toBe(true)
    expect(server.requests.login).toBe(1)
  })

  it('creates keys non-exportable, named per role and tenant, and sends no key material', async () => {
    const kms = service({ prefix: 'naming' })
    await kms.createKey(contextOf('plain'), { keyId: 'k1', type: { kty: 'EC', crv: 'P-256' } })
    await kms.createKey(contextOf('tenant-x'), { keyId: 'k1', type: { kty: 'EC', crv: 'P-256' } })
    const names = server.keyNames().filter((name) => name.startsWith('naming-'))
    expect(names).toContain('naming-issuer-plain-k1')
    // A tenant id that is not plain alphanumerics is hashed, never passed through.
    expect(names.find((name) => name !== 'naming-issuer-plain-k1')).toMatch(/^naming-issuer-x_[0-9a-f]{40}-k1$/)
    const created = server.bodies.filter((body) => body.includes('"type"'))
    expect(created.every((body) => JSON.parse(body).exportable === false)).toBe(true)
    expect(server.bodies.join('\n')).not.toMatch(/PRIVATE KEY|"d":/)
  })
})

function contextOf(tenantId: string): AgentContext {
  return new AgentContext({ dependencyManager: new DependencyManager(), contextCorrelationId: tenantId })
}
