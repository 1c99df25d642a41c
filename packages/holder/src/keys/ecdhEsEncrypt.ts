import { Kms } from '@credo-ts/core'

const GCM_KEY_BYTES: Record<string, number> = { A128GCM: 16, A256GCM: 32 }
const encoder = new TextEncoder()
const subtle = () => globalThis.crypto.subtle

const uint32 = (value: number) => {
  const bytes = new Uint8Array(4)
  new DataView(bytes.buffer).setUint32(0, value)
  return bytes
}
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((length, part) => length + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
const lengthPrefixed = (value: Uint8Array) => concat(uint32(value.length), value)

export const ECDH_ES_CONTENT_ENCRYPTIONS = Object.keys(GCM_KEY_BYTES)

export interface EcdhEsEncryptOptions {
  /** The sender's (ephemeral) private ECDH key. */
  privateKey: CryptoKey
  /** The recipient's public key. */
  recipientPublicJwk: JsonWebKey
  /** `A128GCM` or `A256GCM`. */
  enc: string
  apu?: Uint8Array
  apv?: Uint8Array
  aad?: Uint8Array
  data: Uint8Array
}

/**
 * Direct ECDH-ES with A128GCM or A256GCM (RFC 7518 §4.6) on WebCrypto: the key agreement, the
 * Concat KDF (SHA-256, one round for keys up to 256 bits), then AES-GCM with a fresh 96-bit IV.
 */
export async function encryptEcdhEs(options: EcdhEsEncryptOptions) {
  const bytes = GCM_KEY_BYTES[options.enc]
  if (!bytes) throw new Kms.KeyManagementAlgorithmNotSupportedError(`enc '${options.enc}'`, 'local')
  const { crv } = options.recipientPublicJwk
  const recipient = await subtle().importKey(
    'jwk',
    { kty: 'EC', crv, x: options.recipientPublicJwk.x, y: options.recipientPublicJwk.y },
    { name: 'ECDH', namedCurve: crv as string },
    false,
    [],
  )
  const sharedSecret = new Uint8Array(
    await subtle().deriveBits({ name: 'ECDH', public: recipient }, options.privateKey, null as unknown as number),
  )
  const otherInfo = concat(
    lengthPrefixed(encoder.encode(options.enc)),
    lengthPrefixed(options.apu ?? new Uint8Array()),
    lengthPrefixed(options.apv ?? new Uint8Array()),
    uint32(bytes * 8),
  )
  const digest = new Uint8Array(await subtle().digest('SHA-256', concat(uint32(1), sharedSecret, otherInfo)))
  sharedSecret.fill(0)
  const contentKey = await subtle().importKey('raw', digest.subarray(0, bytes), 'AES-GCM', false, ['encrypt'])
  digest.fill(0)
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12))
  const sealed = new Uint8Array(
    await subtle().encrypt(
      { name: 'AES-GCM', iv, ...(options.aad ? { additionalData: options.aad as BufferSource } : {}), tagLength: 128 },
      contentKey,
      options.data as BufferSource,
    ),
  )
  return { encrypted: sealed.slice(0, sealed.length - 16), tag: sealed.slice(sealed.length - 16), iv }
}
