import { createDecipheriv, createHash, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto'
import type { Kms } from '@credo-ts/core'

/** Content encryptions decrypted after direct ECDH-ES: AES-GCM, key length in bytes. */
export const ECDH_ES_CONTENT_ENCRYPTIONS: Record<string, { cipher: 'aes-128-gcm' | 'aes-256-gcm'; bytes: number }> = {
  A128GCM: { cipher: 'aes-128-gcm', bytes: 16 },
  A256GCM: { cipher: 'aes-256-gcm', bytes: 32 },
}

/** The content of a direct ECDH-ES JWE, whoever computes the shared secret. */
export interface EcdhEsContentOptions {
  /** `A128GCM` or `A256GCM`. */
  enc: string
  apu?: Uint8Array
  apv?: Uint8Array
  iv: Uint8Array
  tag: Uint8Array
  /** For a compact JWE: its encoded protected header. */
  aad?: Uint8Array
  ciphertext: Uint8Array
}

export interface DecryptEcdhEsOptions extends EcdhEsContentOptions {
  /** The recipient's private key (P-256, P-384, P-521 or X25519). */
  privateKey: KeyObject
  /** The sender's ephemeral public key (the JWE's `epk`). */
  senderPublicJwk: object
}

const uint32 = (value: number) => {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32BE(value)
  return bytes
}
const lengthPrefixed = (value: Uint8Array) => Buffer.concat([uint32(value.length), value])

/**
 * The content-encryption key of direct ECDH-ES (RFC 7518 §4.6.2): Concat KDF with SHA-256 over
 * the shared secret; for keys up to 256 bits one round.
 */
function ecdhEsContentKey(sharedSecret: Uint8Array, enc: string, bytes: number, apu?: Uint8Array, apv?: Uint8Array) {
  const otherInfo = Buffer.concat([
    lengthPrefixed(Buffer.from(enc)),
    lengthPrefixed(apu ?? new Uint8Array()),
    lengthPrefixed(apv ?? new Uint8Array()),
    uint32(bytes * 8),
  ])
  return createHash('sha256').update(uint32(1)).update(sharedSecret).update(otherInfo).digest().subarray(0, bytes)
}

/**
 * Direct ECDH-ES with A128GCM or A256GCM (RFC 7518 §4.6) after the key agreement: the Concat KDF
 * over `sharedSecret` (the agreement's Z, computed by node:crypto or inside an HSM), then AES-GCM.
 * A wrong tag or an unknown `enc` throws.
 */
export function decryptWithEcdhEsSecret(sharedSecret: Uint8Array, options: EcdhEsContentOptions): Buffer {
  const content = ECDH_ES_CONTENT_ENCRYPTIONS[options.enc]
  if (!content) throw new Error(`content encryption ${options.enc} is not offered`)
  const contentKey = ecdhEsContentKey(sharedSecret, options.enc, content.bytes, options.apu, options.apv)
  const decipher = createDecipheriv(content.cipher, contentKey, options.iv, { authTagLength: 16 })
  if (options.aad) decipher.setAAD(options.aad)
  decipher.setAuthTag(options.tag)
  return Buffer.concat([decipher.update(options.ciphertext), decipher.final()])
}

/**
 * Direct ECDH-ES key agreement with A128GCM or A256GCM (RFC 7518 §4.6), with node:crypto: one key
 * agreement, the Concat KDF, AES-GCM. Importing the sender's key checks that its point lies on
 * its curve; a curve other than the recipient's, a wrong tag or an unknown `enc` throws.
 */
export function decryptEcdhEs(options: DecryptEcdhEsOptions): Buffer {
  const publicKey = createPublicKey({ format: 'jwk', key: options.senderPublicJwk as import('node:crypto').JsonWebKey })
  const sharedSecret = diffieHellman({ privateKey: options.privateKey, publicKey })
  return decryptWithEcdhEsSecret(sharedSecret, options)
}

/** A direct ECDH-ES decryption, as {@link directEcdhEsOf} reads it from Credo's options. */
export interface DirectEcdhEs {
  /** The recipient's key in the KMS. */
  keyId: string
  senderPublicJwk: object
  content: EcdhEsContentOptions
}

/**
 * Credo's decrypt options when they ask for direct ECDH-ES with A128GCM or A256GCM (an encrypted
 * OID4VP response), in the terms of this module; undefined for anything else.
 */
export function directEcdhEsOf(options: Kms.KmsDecryptOptions): DirectEcdhEs | undefined {
  const agreement = options.key.keyAgreement
  const decryption = options.decryption as { algorithm: string; iv?: Uint8Array; tag?: Uint8Array; aad?: Uint8Array }
  const { iv, tag } = decryption
  if (!ECDH_ES_CONTENT_ENCRYPTIONS[decryption.algorithm] || agreement?.algorithm !== 'ECDH-ES' || !iv || !tag) {
    return undefined
  }
  return {
    keyId: agreement.keyId,
    senderPublicJwk: agreement.externalPublicJwk,
    content: {
      enc: decryption.algorithm,
      apu: agreement.apu,
      apv: agreement.apv,
      iv,
      tag,
      aad: decryption.aad,
      ciphertext: options.encrypted,
    },
  }
}
