import type { AgentContext, Kms } from '@credo-ts/core'
import { compactDecrypt, compactVerify, exportJWK, generateKeyPair, importJWK } from 'jose'
import type { UsableKey } from '../CryptoKeyStore.js'
import { WebCryptoKeyManagementService } from '../WebCryptoKeyManagementService.js'
import { MemoryKeyStore } from './memoryKeyStore.js'

// The wallet's WebCrypto key management, checked with an independent JOSE library (jose):
// its ES256 signatures verify there, and its ECDH-ES encrypted responses decrypt there.

const context = { contextCorrelationId: 'test' } as AgentContext
const encoder = new TextEncoder()
const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url')

describe('WebCryptoKeyManagementService', () => {
  const store = new MemoryKeyStore()
  const kms = new WebCryptoKeyManagementService(store)

  it('signs ES256 with a non-extractable key, and jose verifies the signature', async () => {
    const { keyId, publicJwk } = await kms.createKey(context, { type: { kty: 'EC', crv: 'P-256' } })
    const key = store.keys.get(keyId) as UsableKey
    expect([key.signing?.extractable, key.agreement?.extractable]).toEqual([false, false])
    const header = base64url(encoder.encode(JSON.stringify({ alg: 'ES256' })))
    const payload = base64url(encoder.encode('{"a":1}'))
    const { signature } = await kms.sign(context, {
      keyId,
      algorithm: 'ES256',
      data: encoder.encode(`${header}.${payload}`),
    })
    const jws = `${header}.${payload}.${base64url(signature)}`
    const verified = await compactVerify(jws, await importJWK(publicJwk as never, 'ES256'))
    expect(new TextDecoder().decode(verified.payload)).toBe('{"a":1}')
    const ours = await kms.verify(context, {
      key: { publicJwk: publicJwk as Kms.KmsJwkPublicEc },
      algorithm: 'ES256',
      signature,
      data: encoder.encode(`${header}.${payload}x`),
    })
    expect(ours.verified).toBe(false)
  })

  it('encrypts with direct ECDH-ES and A128GCM / A256GCM as a compact JWE that jose decrypts', async () => {
    const recipient = await generateKeyPair('ECDH-ES', { crv: 'P-256' })
    const recipientJwk = await exportJWK(recipient.publicKey)
    for (const enc of ['A128GCM', 'A256GCM'] as const) {
      const ephemeral = await kms.createKey(context, { type: { kty: 'EC', crv: 'P-256' } })
      const header = base64url(encoder.encode(JSON.stringify({ alg: 'ECDH-ES', enc, epk: ephemeral.publicJwk })))
      const encrypted = await kms.encrypt(context, {
        key: {
          keyAgreement: {
            keyId: ephemeral.keyId,
            algorithm: 'ECDH-ES',
            externalPublicJwk: recipientJwk as Kms.KmsJwkPublicEc,
          },
        },
        encryption: { algorithm: enc, aad: encoder.encode(header) },
        data: encoder.encode('the response'),
      })
      const jwe = [header, '', encrypted.iv, encrypted.encrypted, encrypted.tag]
        .map((part) => (typeof part === 'string' ? part : base64url(part as Uint8Array)))
        .join('.')
      const { plaintext } = await compactDecrypt(jwe, recipient.privateKey)
      expect(new TextDecoder().decode(plaintext)).toBe('the response')
      expect(await kms.deleteKey(context, { keyId: ephemeral.keyId })).toBe(true)
      expect(await kms.getPublicKey(context, ephemeral.keyId)).toBeNull()
    }
  })

  it('imports a private key under its kid (a backup), kept non-extractable; jose verifies its signature', async () => {
    const pair = await generateKeyPair('ES256', { extractable: true })
    const privateJwk = { ...(await exportJWK(pair.privateKey)), kid: 'restored-key' }
    const imported = await kms.importKey(context, { privateJwk: privateJwk as Kms.KmsJwkPrivate })
    expect(imported.keyId).toBe('restored-key')
    expect(store.keys.get('restored-key')?.signing?.extractable).toBe(false)
    const signingInput = `${base64url(encoder.encode('{"alg":"ES256"}'))}.${base64url(encoder.encode('after import'))}`
    const { signature } = await kms.sign(context, {
      keyId: 'restored-key',
      algorithm: 'ES256',
      data: encoder.encode(signingInput),
    })
    const verified = await compactVerify(`${signingInput}.${base64url(signature)}`, pair.publicKey)
    expect(new TextDecoder().decode(verified.payload)).toBe('after import')
    await expect(kms.importKey(context, { privateJwk: privateJwk as Kms.KmsJwkPrivate })).rejects.toThrow(/exists/)
  })

  it('says what it does not do: decryption, RSA keys', async () => {
    expect(
      kms.isOperationSupported(context, { operation: 'createKey', type: { kty: 'RSA', modulusLength: 2048 } }),
    ).toBe(false)
    expect(kms.isOperationSupported(context, { operation: 'sign', algorithm: 'RS256' })).toBe(false)
    expect(kms.isOperationSupported(context, { operation: 'verify', algorithm: 'RS256' })).toBe(true)
    const rsa = await generateKeyPair('RS256', { extractable: true })
    const rsaJwk = (await exportJWK(rsa.privateKey)) as Kms.KmsJwkPrivate
    expect(kms.isOperationSupported(context, { operation: 'importKey', privateJwk: rsaJwk })).toBe(false)
    await expect(kms.importKey(context, { privateJwk: rsaJwk })).rejects.toThrow(/importing a RSA key/)
  })
})
