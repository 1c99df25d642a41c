import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kms } from '@credo-ts/core'
import { EncryptedKeyStorage } from '../src/local/EncryptedKeyStorage.js'
import { LocalKeyManagementService } from '../src/local/LocalKeyManagementService.js'
import { loadMasterKeyFile, masterKeyFromBytes } from '../src/local/masterKey.js'
import { type KmsUnderTest, localKms } from './support/kmsBackends.js'

// The local backend keeps its keys, encrypted, in a fresh schema of the real PostgreSQL.

describe('local KMS: keys at rest', () => {
  let under: KmsUnderTest
  beforeAll(async () => {
    under = await localKms()
  })
  afterAll(() => under.dispose())

  const rows = async () =>
    (
      await under.storage?.database.query<{ tenant_id: string; id: string; value: unknown }>(
        `SELECT tenant_id, id, value FROM "${under.schema}".records WHERE record_type = 'LocalKmsKeyRecord'`,
      )
    )?.rows ?? []

  it('never writes a private key in the clear', async () => {
    const tenant = under.context('at-rest')
    const { keyId } = await under.kms.createKey(tenant, { type: { kty: 'EC', crv: 'P-256' } })
    // Decrypt it on the side, to know what to look for.
    const masterKey = (under.kms as unknown as { storage: EncryptedKeyStorage }).storage
    const privateJwk = (await masterKey.get(tenant, keyId)) as { d: string }
    expect(privateJwk.d).toMatch(/^[A-Za-z0-9_-]{40,}$/)
    const stored = JSON.stringify(await rows())
    expect(stored).toContain(keyId)
    expect(stored).not.toContain(privateJwk.d)
    expect(stored).not.toMatch(/"d":/)
  })

  it('refuses a key row moved to another tenant (the ciphertext is bound to tenant and id)', async () => {
    const tenant = under.context('owner')
    const { keyId } = await under.kms.createKey(tenant, { type: { kty: 'OKP', crv: 'Ed25519' } })
    await under.storage?.database.query(
      `UPDATE "${under.schema}".records SET tenant_id = 'thief' WHERE id = $1 AND record_type = 'LocalKmsKeyRecord'`,
      [keyId],
    )
    const attempt = under.kms.sign(under.context('thief'), { keyId, algorithm: 'EdDSA', data: new Uint8Array([1]) })
    await expect(attempt).rejects.toBeInstanceOf(Kms.KeyManagementError)
    await expect(attempt).rejects.toThrow(/could not be decrypted/)
  })

  it('reads a key from storage once, then from memory, until it is deleted', async () => {
    const tenant = under.context('cached')
    const { keyId, publicJwk } = await under.kms.createKey(tenant, { type: { kty: 'EC', crv: 'P-256' } })
    // The row is gone behind the KMS's back: only the in-memory copy can answer.
    await under.storage?.database.query(
      `DELETE FROM "${under.schema}".records WHERE id = $1 AND record_type = 'LocalKmsKeyRecord'`,
      [keyId],
    )
    expect(await under.kms.getPublicKey(tenant, keyId)).toMatchObject({ x: publicJwk.x, y: publicJwk.y })
    await under.kms.deleteKey(tenant, { keyId })
    expect(await under.kms.getPublicKey(tenant, keyId)).toBeNull()
    // Another tenant asking for the same key id gets nothing from the cache.
    expect(await under.kms.getPublicKey(under.context('other'), keyId)).toBeNull()

    const uncached = new LocalKeyManagementService({
      masterKey: masterKeyFromBytes(randomBytes(32)),
      signingKeyCacheSize: 0,
    })
    const created = await uncached.createKey(tenant, { type: { kty: 'EC', crv: 'P-256' } })
    await under.storage?.database.query(
      `DELETE FROM "${under.schema}".records WHERE id = $1 AND record_type = 'LocalKmsKeyRecord'`,
      [created.keyId],
    )
    expect(await uncached.getPublicKey(tenant, created.keyId)).toBeNull()
  })

  it('encrypts and decrypts with ECDH-ES and A128GCM / A256GCM, as encrypted OID4VP responses need', async () => {
    const tenant = under.context('jwe')
    const verifier = await under.kms.createKey(tenant, { type: { kty: 'EC', crv: 'P-256' } })
    const wallet = await under.kms.createKey(tenant, { type: { kty: 'EC', crv: 'P-256' } })
    for (const algorithm of ['A128GCM', 'A256GCM'] as const) {
      expect(
        under.kms.isOperationSupported(tenant, {
          operation: 'encrypt',
          encryption: { algorithm },
          keyAgreement: { algorithm: 'ECDH-ES' },
        } as Kms.KmsOperation),
      ).toBe(true)
      const plaintext = new TextEncoder().encode(`vp_token for ${algorithm}`)
      const sealed = await under.kms.encrypt(tenant, {
        key: { keyAgreement: { algorithm: 'ECDH-ES', keyId: wallet.keyId, externalPublicJwk: verifier.publicJwk } },
        encryption: { algorithm },
        data: plaintext,
      } as Kms.KmsEncryptOptions)
      const opened = await under.kms.decrypt(tenant, {
        key: { keyAgreement: { algorithm: 'ECDH-ES', keyId: verifier.keyId, externalPublicJwk: wallet.publicJwk } },
        decryption: { algorithm, iv: sealed.iv, tag: sealed.tag },
        encrypted: sealed.encrypted,
      } as Kms.KmsDecryptOptions)
      expect(new TextDecoder().decode(opened.data)).toBe(`vp_token for ${algorithm}`)
    }
  })

  it('decrypts ECDH-ES with party info and additional data, and refuses a wrong tag, AAD or key', async () => {
    const tenant = under.context('jwe-party-info')
    const verifier = await under.kms.createKey(tenant, { type: { kty: 'EC', crv: 'P-256' } })
    const wallet = await under.kms.createKey(tenant, { type: { kty: 'EC', crv: 'P-256' } })
    const apu = new TextEncoder().encode('wallet nonce')
    const apv = new TextEncoder().encode('verifier nonce')
    const aad = new TextEncoder().encode('protected header')
    const sealed = await under.kms.encrypt(tenant, {
      key: {
        keyAgreement: { algorithm: 'ECDH-ES', keyId: wallet.keyId, externalPublicJwk: verifier.publicJwk, apu, apv },
      },
      encryption: { algorithm: 'A256GCM', aad },
      data: new TextEncoder().encode('{"vp_token":{}}'),
    } as Kms.KmsEncryptOptions)
    const open = (change: { aad?: Uint8Array; tag?: Uint8Array; apv?: Uint8Array; publicJwk?: unknown } = {}) =>
      under.kms.decrypt(tenant, {
        key: {
          keyAgreement: {
            algorithm: 'ECDH-ES',
            keyId: verifier.keyId,
            externalPublicJwk: change.publicJwk ?? wallet.publicJwk,
            apu,
            apv: change.apv ?? apv,
          },
        },
        decryption: { algorithm: 'A256GCM', iv: sealed.iv, tag: change.tag ?? sealed.tag, aad: change.aad ?? aad },
        encrypted: sealed.encrypted,
      } as Kms.KmsDecryptOptions)
    expect(new TextDecoder().decode((await open()).data)).toBe('{"vp_token":{}}')
    const tag = Buffer.from(sealed.tag as Uint8Array)
    tag[0] = (tag[0] as number) ^ 1
    await expect(open({ tag })).rejects.toThrow(Kms.KeyManagementError)
    await expect(open({ aad: new TextEncoder().encode('another header') })).rejects.toThrow(Kms.KeyManagementError)
    await expect(open({ apv: new TextEncoder().encode('another nonce') })).rejects.toThrow(Kms.KeyManagementError)
    const other = await under.kms.createKey(tenant, { type: { kty: 'EC', crv: 'P-256' } })
    await expect(open({ publicJwk: other.publicJwk })).rejects.toThrow(Kms.KeyManagementError)
    // A point that is not on the curve.
    const offCurve = { ...wallet.publicJwk, y: (wallet.publicJwk as { x: string }).x }
    await expect(open({ publicJwk: offCurve })).rejects.toThrow(Kms.KeyManagementError)
  })
})

describe('local KMS: master key', () => {
  let under: KmsUnderTest
  beforeAll(async () => {
    under = await localKms()
  })
  afterAll(() => under.dispose())

  it('rotates: a new master key reads keys under the previous one and re-encrypts them', async () => {
    const first = masterKeyFromBytes(randomBytes(32))
    const second = masterKeyFromBytes(randomBytes(32))
    const tenant = under.context('rotation')
    const data = new Uint8Array([7])
    const { keyId } = await new LocalKeyManagementService({ masterKey: first }).createKey(tenant, {
      type: { kty: 'EC', crv: 'P-256' },
    })

    // Without the old key configured, the new one cannot read it.
    await expect(
      new LocalKeyManagementService({ masterKey: second }).sign(tenant, { keyId, algorithm: 'ES256', data }),
    ).rejects.toThrow(/not configured/)

    const rotated = new LocalKeyManagementService({ masterKey: second, previousMasterKeys: [first] })
    await expect(rotated.sign(tenant, { keyId, algorithm: 'ES256', data })).resolves.toHaveProperty('signature')
    // Re-encrypted under the new key: the old key alone no longer reads it.
    await expect(
      new LocalKeyManagementService({ masterKey: first }).sign(tenant, { keyId, algorithm: 'ES256', data }),
    ).rejects.toThrow(/not configured/)
    await expect(
      new LocalKeyManagementService({ masterKey: second }).sign(tenant, { keyId, algorithm: 'ES256', data }),
    ).resolves.toHaveProperty('signature')
  })

  it('derives the same secret per purpose from the same master key, current first then previous', () => {
    const first = masterKeyFromBytes(randomBytes(32))
    const second = masterKeyFromBytes(randomBytes(32))
    const one = new LocalKeyManagementService({ masterKey: first }).derivedSecrets('tokens')
    const again = new LocalKeyManagementService({ masterKey: first }).derivedSecrets('tokens')
    expect(one).toHaveLength(1)
    expect(one[0]).toHaveLength(32)
    expect(again[0]?.equals(one[0] as Buffer)).toBe(true)
    expect(
      new LocalKeyManagementService({ masterKey: first }).derivedSecrets('other')[0]?.equals(one[0] as Buffer),
    ).toBe(false)
    // Neither the master key itself nor a secret of another master key.
    expect(one[0]?.equals(first.key)).toBe(false)
    const rotated = new LocalKeyManagementService({ masterKey: second, previousMasterKeys: [first] }).derivedSecrets(
      'tokens',
    )
    expect(rotated).toHaveLength(2)
    expect(rotated[0]?.equals(one[0] as Buffer)).toBe(false)
    expect(rotated[1]?.equals(one[0] as Buffer)).toBe(true)
  })

  it('generates a missing key file once, readable only by its owner, and reads it afterwards', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'attesto-kms-'))
    try {
      const path = join(directory, 'nested', 'master.key')
      await expect(loadMasterKeyFile(path)).rejects.toThrow(/Cannot read/)
      const created = await loadMasterKeyFile(path, { createIfMissing: true })
      expect(created.created).toBe(true)
      expect((await stat(path)).mode & 0o777).toBe(0o600)
      const again = await loadMasterKeyFile(path, { createIfMissing: true })
      expect(again.created).toBe(false)
      expect(again.masterKey.id).toBe(created.masterKey.id)
    } finally {
      await rm(directory, { recursive: true, force: true })
    }
  })
})
