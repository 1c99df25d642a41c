import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto'
import { type AgentContext, Kms } from '@credo-ts/core'
import { consoleLinesOf } from '../support/consoleLines.js'
import type { KmsUnderTest } from '../support/kmsBackends.js'

const NODE_HASH: Record<string, string | null> = { ES256: 'sha256', ES384: 'sha384', ES256K: 'sha256', EdDSA: null }

/** Verifies a JOSE signature with node:crypto alone, from the public JWK the backend returned. */
export function independentlyVerified(
  publicJwk: Kms.KmsJwkPublic,
  algorithm: string,
  data: Uint8Array,
  signature: Uint8Array,
) {
  const key = createPublicKey({ format: 'jwk', key: publicJwk as unknown as import('node:crypto').JsonWebKey })
  return verify(NODE_HASH[algorithm] ?? null, data, { key, dsaEncoding: 'ieee-p1363' }, signature)
}

/**
 * Rotation of a remote backend (Vault, AWS KMS): a P-256 key signs `data`, is rotated and signs it
 * again. The rotation gives a new public key, the new signature verifies with it and the old one
 * still verifies with the old key (node:crypto alone). Answers both keys and both signatures.
 */
export async function expectRotationKeepsOldSignatures(
  kms: Pick<Kms.KeyManagementService, 'createKey' | 'sign'> & {
    rotateKey(agentContext: AgentContext, keyId: string): Promise<Kms.KmsJwkPublic>
  },
  tenant: AgentContext,
  data: Uint8Array,
) {
  const { keyId, publicJwk: before } = await kms.createKey(tenant, { type: { kty: 'EC', crv: 'P-256' } })
  const { signature: old } = await kms.sign(tenant, { keyId, algorithm: 'ES256', data })
  const after = await kms.rotateKey(tenant, keyId)
  expect((after as { x: string }).x).not.toBe((before as { x: string }).x)
  const { signature: fresh } = await kms.sign(tenant, { keyId, algorithm: 'ES256', data })
  expect(independentlyVerified(after, 'ES256', data, fresh)).toBe(true)
  expect(independentlyVerified(before, 'ES256', data, old)).toBe(true)
  return { keyId, before, after, old, fresh }
}

/**
 * The key management contract, run unchanged against every backend: create, sign, verify and
 * delete for each algorithm, independent verification, unknown key, wrong tenant, unsupported
 * algorithm, and no private key material in anything returned.
 */
export function describeKmsConformance(name: string, create: () => Promise<KmsUnderTest>): void {
  describe(`KeyManagementService conformance: ${name}`, () => {
    let under: KmsUnderTest
    const returned: unknown[] = []

    beforeAll(async () => {
      under = await create()
      console.info(`KMS conformance suite running against ${under.label}`)
    })
    afterAll(() => under.dispose())

    it.each(['ES256', 'ES384', 'EdDSA', 'ES256K'])(
      'creates, signs, verifies and deletes with %s',
      async (algorithm) => {
        const spec = under.algorithms.find((entry) => entry.algorithm === algorithm)
        if (!spec) {
          // Not offered by this backend: it must say so, and refuse clearly.
          expect(
            under.kms.isOperationSupported(under.context('t'), { operation: 'sign', algorithm } as Kms.KmsOperation),
          ).toBe(false)
          return
        }
        const tenant = under.context('tenant-a')
        const created = await under.kms.createKey(tenant, { type: spec.type })
        returned.push(created)
        expect(created.publicJwk.kid).toBe(created.keyId)
        expect(created.publicJwk).not.toHaveProperty('d')
        expect(await under.kms.getPublicKey(tenant, created.keyId)).toMatchObject(created.publicJwk)

        const data = new TextEncoder().encode(`payload for ${algorithm}`)
        const { signature } = await under.kms.sign(tenant, { keyId: created.keyId, algorithm: spec.algorithm, data })
        returned.push(signature)
        expect(independentlyVerified(created.publicJwk, algorithm, data, signature)).toBe(true)

        const verified = await under.kms.verify(tenant, {
          key: { keyId: created.keyId },
          algorithm: spec.algorithm,
          data,
          signature,
        })
        expect(verified.verified).toBe(true)
        const tampered = new Uint8Array(data)
        tampered[0] = (tampered[0] ?? 0) ^ 1
        expect(
          (
            await under.kms.verify(tenant, {
              key: { keyId: created.keyId },
              algorithm: spec.algorithm,
              data: tampered,
              signature,
            })
          ).verified,
        ).toBe(false)

        expect(await under.kms.deleteKey(tenant, { keyId: created.keyId })).toBe(true)
        await expect(
          under.kms.sign(tenant, { keyId: created.keyId, algorithm: spec.algorithm, data }),
        ).rejects.toBeInstanceOf(Kms.KeyManagementKeyNotFoundError)
        expect(await under.kms.deleteKey(tenant, { keyId: created.keyId })).toBe(false)
      },
    )

    it('answers not found for an unknown key', async () => {
      const tenant = under.context('tenant-a')
      expect(await under.kms.getPublicKey(tenant, 'no-such-key')).toBeNull()
      await expect(
        under.kms.sign(tenant, { keyId: 'no-such-key', algorithm: 'ES256', data: new Uint8Array([1]) }),
      ).rejects.toBeInstanceOf(Kms.KeyManagementKeyNotFoundError)
    })

    it('never lets one tenant use, read or delete another tenant’s key id', async () => {
      const tenantA = under.context('tenant-a')
      const tenantB = under.context('tenant-b')
      const { keyId } = await under.kms.createKey(tenantA, { type: { kty: 'EC', crv: 'P-256' } })
      const data = new Uint8Array([1, 2, 3])
      expect(await under.kms.getPublicKey(tenantB, keyId)).toBeNull()
      await expect(under.kms.sign(tenantB, { keyId, algorithm: 'ES256', data })).rejects.toBeInstanceOf(
        Kms.KeyManagementKeyNotFoundError,
      )
      expect(await under.kms.deleteKey(tenantB, { keyId })).toBe(false)
      // The same key id may exist in both tenants, as two different keys.
      const theirs = await under.kms.createKey(tenantB, { keyId, type: { kty: 'EC', crv: 'P-256' } })
      const mine = await under.kms.getPublicKey(tenantA, keyId)
      expect((mine as { x?: string } | null)?.x).not.toBe((theirs.publicJwk as { x: string }).x)
      await expect(under.kms.sign(tenantA, { keyId, algorithm: 'ES256', data })).resolves.toHaveProperty('signature')
    })

    it('refuses a key that already exists', async () => {
      const tenant = under.context('tenant-a')
      const { keyId } = await under.kms.createKey(tenant, { type: { kty: 'EC', crv: 'P-256' } })
      await expect(under.kms.createKey(tenant, { keyId, type: { kty: 'EC', crv: 'P-256' } })).rejects.toBeInstanceOf(
        Kms.KeyManagementKeyExistsError,
      )
    })

    it('refuses what it does not offer with an error that names the backend and the algorithm', async () => {
      const tenant = under.context('tenant-a')
      const type = under.unsupportedKeyType
      expect(under.kms.isOperationSupported(tenant, { operation: 'createKey', type })).toBe(false)
      const creating = under.kms.createKey(tenant, { type })
      await expect(creating).rejects.toBeInstanceOf(Kms.KeyManagementAlgorithmNotSupportedError)
      await expect(creating).rejects.toThrow(new RegExp(`^${under.kms.backend} backend .*${type.kty}`))

      const { keyId } = await under.kms.createKey(tenant, { type: { kty: 'EC', crv: 'P-256' } })
      const algorithm = under.unsupportedSignAlgorithm
      if (algorithm) {
        expect(under.kms.isOperationSupported(tenant, { operation: 'sign', algorithm })).toBe(false)
        const signing = under.kms.sign(tenant, { keyId, algorithm, data: new Uint8Array([1]) })
        await expect(signing).rejects.toThrow(new RegExp(`^${under.kms.backend} backend .*${algorithm}`))
      }
      // An algorithm that does not fit the key's type is refused too.
      await expect(under.kms.sign(tenant, { keyId, algorithm: 'ES384', data: new Uint8Array([1]) })).rejects.toThrow(
        /ES384/,
      )
    })

    it('never puts private key material in a response, an error or a log line', async () => {
      const secrets: string[] = []
      const logged = await consoleLinesOf(async () => {
        const tenant = under.context('tenant-leak')
        // Where the backend accepts an imported key, we know its private part and look for it.
        const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
        const privateJwk = privateKey.export({ format: 'jwk' }) as Kms.KmsJwkPrivate & { d: string }
        let keyId: string
        if (under.kms.isOperationSupported(tenant, { operation: 'importKey', privateJwk })) {
          secrets.push(privateJwk.d)
          const imported = await under.kms.importKey(tenant, { privateJwk })
          returned.push(imported)
          keyId = imported.keyId
        } else {
          keyId = (await under.kms.createKey(tenant, { type: { kty: 'EC', crv: 'P-256' } })).keyId
        }
        returned.push(await under.kms.getPublicKey(tenant, keyId))
        returned.push(await under.kms.sign(tenant, { keyId, algorithm: 'ES256', data: new Uint8Array([1]) }))
        for (const failing of [
          () => under.kms.sign(tenant, { keyId, algorithm: 'ES384', data: new Uint8Array([1]) }),
          () => under.kms.sign(under.context('tenant-other'), { keyId, algorithm: 'ES256', data: new Uint8Array([1]) }),
          () => under.kms.createKey(tenant, { keyId, type: { kty: 'EC', crv: 'P-256' } }),
        ]) {
          const error = await failing().then(
            () => undefined,
            (caught: unknown) => caught as Error,
          )
          expect(error).toBeInstanceOf(Error)
          returned.push({
            message: error?.message,
            stack: error?.stack,
            cause: String((error as { cause?: unknown })?.cause),
          })
        }
      })
      const everything = `${JSON.stringify(returned)}\n${logged.join('\n')}`
      expect(everything).not.toMatch(/"d":|PRIVATE KEY/)
      for (const secret of secrets) expect(everything).not.toContain(secret)
    })
  })
}
