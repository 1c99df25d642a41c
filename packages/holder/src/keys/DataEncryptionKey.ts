import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto'

const SEALED_PREFIX = 'v1'

/**
 * The wallet's data-encryption key (32 random bytes, made once when the wallet is created) and
 * the keys derived from it with HKDF-SHA256: one for record values (AES-256-GCM), one for tag
 * values (HMAC-SHA256). The DEK itself is the local KMS's master key. It is stored only wrapped
 * under the passphrase's key ({@link WalletKeyHeader}); {@link destroy} overwrites it in memory.
 */
export class DataEncryptionKey {
  private readonly recordKey: Buffer
  private readonly tagKey: Buffer

  public constructor(private readonly dek: Buffer) {
    if (dek.length !== 32) throw new RangeError('The data-encryption key must be 32 bytes')
    this.recordKey = Buffer.from(hkdfSync('sha256', dek, 'attesto-wallet', 'record-values', 32))
    this.tagKey = Buffer.from(hkdfSync('sha256', dek, 'attesto-wallet', 'tag-values', 32))
  }

  public static generate(): DataEncryptionKey {
    return new DataEncryptionKey(randomBytes(32))
  }

  /** The raw key, to wrap it or to give it to the KMS. */
  public get bytes(): Buffer {
    return this.dek
  }

  /** AES-256-GCM: `v1.<iv>.<ciphertext>.<tag>` (base64url), bound to `aad`. */
  public seal(plaintext: string, aad: string): string {
    return sealWith(this.recordKey, plaintext, aad)
  }

  /** Opens what {@link seal} made; throws when the key, the AAD or a byte differs. */
  public open(sealed: string, aad: string): string {
    return openWith(this.recordKey, sealed, aad)
  }

  /** A keyed hash of a tag value: equality queries still work, the value does not show. */
  public tagHash(input: string): string {
    return createHmac('sha256', this.tagKey).update(input).digest('base64url').slice(0, 32)
  }

  public destroy(): void {
    for (const key of [this.dek, this.recordKey, this.tagKey]) key.fill(0)
  }
}

export function sealWith(key: Buffer, plaintext: string | Buffer, aad: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(aad))
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return [SEALED_PREFIX, iv, ciphertext, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.')
}

export function openBytesWith(key: Buffer, sealed: string, aad: string): Buffer {
  const [prefix, iv, ciphertext, tag, ...rest] = sealed.split('.')
  if (prefix !== SEALED_PREFIX || !iv || ciphertext === undefined || !tag || rest.length > 0) {
    throw new Error('Not a sealed value')
  }
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 })
  decipher.setAAD(Buffer.from(aad))
  decipher.setAuthTag(Buffer.from(tag, 'base64url'))
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()])
}

export function openWith(key: Buffer, sealed: string, aad: string): string {
  return openBytesWith(key, sealed, aad).toString('utf8')
}
