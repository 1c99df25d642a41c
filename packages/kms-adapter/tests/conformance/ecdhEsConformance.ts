import { generateKeyPairSync } from 'node:crypto'
import { Kms } from '@credo-ts/core'
import { CompactEncrypt } from 'jose'
import type { KmsUnderTest } from '../support/kmsBackends.js'

/** What a wallet sends in a `direct_post.jwt` response: a compact JWE that jose made. */
async function walletJwe(recipient: Kms.KmsJwkPublic, enc: 'A128GCM' | 'A256GCM', plaintext: string) {
  const apu = new TextEncoder().encode('wallet nonce')
  const apv = new TextEncoder().encode('verifier nonce')
  return new CompactEncrypt(new TextEncoder().encode(plaintext))
    .setProtectedHeader({ alg: 'ECDH-ES', enc, kid: recipient.kid })
    .setKeyManagementParameters({ apu, apv })
    .encrypt(recipient as unknown as import('node:crypto').JsonWebKey as never)
}

interface DecryptChange {
  epk?: unknown
  tag?: Buffer
  algorithm?: string
}

/** Credo's decrypt options for a compact ECDH-ES JWE, as the verifier builds them, with one change. */
function decryptOptions(keyId: string, jwe: string, change: DecryptChange = {}): Kms.KmsDecryptOptions {
  const [header = '', , iv = '', ciphertext = '', tag = ''] = jwe.split('.')
  const parsed = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, string>
  return {
    encrypted: Buffer.from(ciphertext, 'base64url'),
    decryption: {
      algorithm: change.algorithm ?? parsed.enc,
      aad: Buffer.from(header),
      iv: Buffer.from(iv, 'base64url'),
      tag: change.tag ?? Buffer.from(tag, 'base64url'),
    },
    key: {
      keyAgreement: {
        algorithm: 'ECDH-ES',
        keyId,
        externalPublicJwk: change.epk ?? parsed.epk,
        apu: Buffer.from(parsed.apu ?? '', 'base64url'),
        apv: Buffer.from(parsed.apv ?? '', 'base64url'),
      },
    },
  } as unknown as Kms.KmsDecryptOptions
}

/**
 * The decryption contract of encrypted OID4VP responses, run against every backend that offers
 * it (local, pkcs11): a compact JWE that jose (an independent implementation) encrypted with
 * ECDH-ES to the backend's P-256 key decrypts through Credo's `decrypt`, and a tampered tag,
 * another sender key, a point off the curve or another content encryption are refused.
 */
export function describeEcdhEsConformance(name: string, create: () => Promise<KmsUnderTest>): void {
  describe(`ECDH-ES decryption of wallet responses: ${name}`, () => {
    let under: KmsUnderTest
    beforeAll(async () => {
      under = await create()
    })
    afterAll(() => under.dispose())

    it('says it can decrypt ECDH-ES with A128GCM and A256GCM', () => {
      for (const algorithm of ['A128GCM', 'A256GCM']) {
        const operation = { operation: 'decrypt', decryption: { algorithm }, keyAgreement: { algorithm: 'ECDH-ES' } }
        expect(under.kms.isOperationSupported(under.context('t'), operation as Kms.KmsOperation)).toBe(true)
      }
    })

    it.each(['A128GCM', 'A256GCM'] as const)('decrypts what jose encrypted to its key (%s, apu, apv)', async (enc) => {
      const tenant = under.context('tenant-jwe')
      const { keyId, publicJwk } = await under.kms.createKey(tenant, { type: { kty: 'EC', crv: 'P-256' } })
      const jwe = await walletJwe(publicJwk, enc, `{"vp_token":"for ${enc}"}`)
      const { data } = await under.kms.decrypt(tenant, decryptOptions(keyId, jwe))
      expect(new TextDecoder().decode(data)).toBe(`{"vp_token":"for ${enc}"}`)
    })

    it('refuses a tampered tag, another sender key, a point off the curve, another tenant', async () => {
      const tenant = under.context('tenant-jwe')
      const { keyId, publicJwk } = await under.kms.createKey(tenant, { type: { kty: 'EC', crv: 'P-256' } })
      const jwe = await walletJwe(publicJwk, 'A128GCM', '{"vp_token":{}}')
      const tag = Buffer.from(jwe.split('.')[4] ?? '', 'base64url')
      tag[0] = (tag[0] ?? 0) ^ 1
      await expect(under.kms.decrypt(tenant, decryptOptions(keyId, jwe, { tag }))).rejects.toThrow(
        Kms.KeyManagementError,
      )
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' })
      await expect(under.kms.decrypt(tenant, decryptOptions(keyId, jwe, { epk: other }))).rejects.toThrow(
        Kms.KeyManagementError,
      )
      const offCurve = { ...other, y: other.x }
      await expect(under.kms.decrypt(tenant, decryptOptions(keyId, jwe, { epk: offCurve }))).rejects.toThrow(
        Kms.KeyManagementError,
      )
      await expect(under.kms.decrypt(under.context('tenant-other'), decryptOptions(keyId, jwe))).rejects.toBeInstanceOf(
        Kms.KeyManagementKeyNotFoundError,
      )
    })
  })
}
