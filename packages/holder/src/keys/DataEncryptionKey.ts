import { TypedArrayEncoder } from '@credo-ts/core'
import { hkdf } from '@noble/hashes/hkdf.js'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'

const SEALED_PREFIX = 'v1'
const TAG_BYTES = 16
const encoder = new TextEncoder()

/** 32 bytes from the platform's secure random source (WebCrypto, in node and browsers alike). */
export function randomKeyBytes(length = 32): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length))
}

const aesKey = (raw: Uint8Array) =>
  globalThis.crypto.subtle.importKey('raw', raw as BufferSource, 'AES-GCM', false, ['encrypt', 'decrypt'])

/**
 * The wallet's data-encryption key (32 random bytes, made once when the wallet is created) and
 * the keys derived from it with HKDF-SHA256: one for record values (AES-256-GCM, a
 * non-extractable WebCrypto key), one for tag values (HMAC-SHA256). The DEK itself is the local
 * KMS's master key where the platform's KMS keeps keys in storage. It is stored only wrapped
 * under the passphrase's key ({@link WalletKeyHeader}); {@link destroy} overwrites it in memory.
 *
 * The same code runs in node and in browsers: WebCrypto for AES-GCM, `@noble/hashes` for the
 * synchronous tag hash (queries are built synchronously).
 */
export class DataEncryptionKey {
  private readonly dek: Uint8Array
  private readonly recordKey: Promise<CryptoKey>
  private readonly tagKey: Uint8Array

  public constructor(dek: Uint8Array) {
    if (dek.length !== 32) throw new RangeError('The data-encryption key must be 32 bytes')
    this.dek = dek
    const recordKeyBytes = hkdf(sha256, dek, encoder.encode('attesto-wallet'), encoder.encode('record-values'), 32)
    this.recordKey = aesKey(recordKeyBytes).finally(() => recordKeyBytes.fill(0))
    this.tagKey = hkdf(sha256, dek, encoder.encode('attesto-wallet'), encoder.encode('tag-values'), 32)
  }

  public static generate(): DataEncryptionKey {
    return new DataEncryptionKey(randomKeyBytes())
  }

  /** The raw key, to wrap it or to give it to the KMS. */
  public get bytes(): Uint8Array {
    return this.dek
  }

  /** AES-256-GCM: `v1.<iv>.<ciphertext>.<tag>` (base64url), bound to `aad`. */
  public async seal(plaintext: string, aad: string): Promise<string> {
    return sealWithKey(await this.recordKey, encoder.encode(plaintext), aad)
  }

  /** Opens what {@link seal} made; throws when the key, the AAD or a byte differs. */
  public async open(sealed: string, aad: string): Promise<string> {
    return new TextDecoder().decode(await openWithKey(await this.recordKey, sealed, aad))
  }

  /** A keyed hash of a tag value: equality queries still work, the value does not show. */
  public tagHash(input: string): string {
    return TypedArrayEncoder.toBase64URL(hmac(sha256, this.tagKey, encoder.encode(input))).slice(0, 32)
  }

  public destroy(): void {
    this.dek.fill(0)
    this.tagKey.fill(0)
  }
}

async function sealWithKey(key: CryptoKey, plaintext: Uint8Array, aad: string): Promise<string> {
  const iv = randomKeyBytes(12)
  const output = new Uint8Array(
    await globalThis.crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: iv as BufferSource, additionalData: encoder.encode(aad), tagLength: 128 },
      key,
      plaintext as BufferSource,
    ),
  )
  const ciphertext = output.subarray(0, output.length - TAG_BYTES)
  const tag = output.subarray(output.length - TAG_BYTES)
  return [SEALED_PREFIX, ...[iv, ciphertext, tag].map((part) => TypedArrayEncoder.toBase64URL(part))].join('.')
}

async function openWithKey(key: CryptoKey, sealed: string, aad: string): Promise<Uint8Array> {
  const [prefix, iv, ciphertext, tag, ...rest] = sealed.split('.')
  if (prefix !== SEALED_PREFIX || !iv || ciphertext === undefined || !tag || rest.length > 0) {
    throw new Error('Not a sealed value')
  }
  const body = new Uint8Array([...TypedArrayEncoder.fromBase64(ciphertext), ...TypedArrayEncoder.fromBase64(tag)])
  return new Uint8Array(
    await globalThis.crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: TypedArrayEncoder.fromBase64(iv) as BufferSource, additionalData: encoder.encode(aad) },
      key,
      body as BufferSource,
    ),
  )
}

/** AES-256-GCM under a raw 32-byte key (the passphrase's key-encryption key). */
export async function sealWith(key: Uint8Array, plaintext: string | Uint8Array, aad: string): Promise<string> {
  const bytes = typeof plaintext === 'string' ? encoder.encode(plaintext) : plaintext
  return sealWithKey(await aesKey(key), bytes, aad)
}

export async function openBytesWith(key: Uint8Array, sealed: string, aad: string): Promise<Uint8Array> {
  return openWithKey(await aesKey(key), sealed, aad)
}
