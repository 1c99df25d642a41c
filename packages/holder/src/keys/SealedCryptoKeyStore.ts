import {
  type AgentContext,
  BaseRecord,
  InjectionSymbols,
  RecordNotFoundError,
  type StorageService,
  type TagsBase,
  TypedArrayEncoder,
} from '@credo-ts/core'
import { sha256 } from '@noble/hashes/sha2.js'
import type { CryptoKeyStore, UsableKey } from './CryptoKeyStore.js'
import { randomKeyBytes } from './DataEncryptionKey.js'
import { usableKeyOf } from './webCryptoKeys.js'

/**
 * A private key, AES-256-GCM under the wallet's data-encryption key: the record of
 * `@attesto/kms-adapter`'s local KMS (same type, fields and additional data), so the keys of
 * wallets made before this store open unchanged.
 */
export class SealedKeyRecord extends BaseRecord<TagsBase> {
  public static override readonly type = 'LocalKmsKeyRecord'
  public override readonly type = SealedKeyRecord.type
  public ciphertext!: string
  public iv!: string
  public authTag!: string
  public masterKeyId!: string

  public getTags(): TagsBase {
    return { ...this._tags, masterKeyId: this.masterKeyId }
  }
}

/**
 * The wallet's keys in node: each private JWK sealed under the data-encryption key in the wallet's
 * own (sealed) storage, and used as non-extractable WebCrypto keys, cached while the wallet is
 * unlocked. Locking drops the store and its cache with it.
 */
export class SealedCryptoKeyStore implements CryptoKeyStore {
  private readonly masterKeyId: string
  private readonly cache = new Map<string, UsableKey>()
  private readonly aesKey: Promise<CryptoKey>

  public constructor(dataKey: Uint8Array) {
    this.masterKeyId = Array.from(sha256(dataKey).subarray(0, 8), (byte) => byte.toString(16).padStart(2, '0')).join('')
    this.aesKey = globalThis.crypto.subtle.importKey('raw', dataKey as BufferSource, 'AES-GCM', false, [
      'encrypt',
      'decrypt',
    ])
  }

  public async add(agentContext: AgentContext, keyId: string, privateJwk: JsonWebKey): Promise<UsableKey> {
    const iv = randomKeyBytes(12)
    const sealed = new Uint8Array(
      await globalThis.crypto.subtle.encrypt(
        { name: 'AES-GCM', iv: iv as BufferSource, additionalData: aad(agentContext, keyId) },
        await this.aesKey,
        new TextEncoder().encode(JSON.stringify(privateJwk)),
      ),
    )
    const record = Object.assign(new SealedKeyRecord(), {
      id: keyId,
      createdAt: new Date(),
      ciphertext: TypedArrayEncoder.toBase64URL(sealed.subarray(0, sealed.length - 16)),
      iv: TypedArrayEncoder.toBase64URL(iv),
      authTag: TypedArrayEncoder.toBase64URL(sealed.subarray(sealed.length - 16)),
      masterKeyId: this.masterKeyId,
    })
    await storageOf(agentContext).save(agentContext, record)
    const usable = await usableKeyOf(privateJwk)
    this.cache.set(keyId, usable)
    return usable
  }

  public async get(agentContext: AgentContext, keyId: string): Promise<UsableKey | null> {
    const cached = this.cache.get(keyId)
    if (cached) return cached
    const privateJwk = await this.exportPrivateJwk(agentContext, keyId)
    if (!privateJwk) return null
    const usable = await usableKeyOf(privateJwk)
    this.cache.set(keyId, usable)
    return usable
  }

  /** The key's private JWK, decrypted (for a wallet backup, and to import it as WebCrypto keys). */
  public async exportPrivateJwk(agentContext: AgentContext, keyId: string): Promise<JsonWebKey | null> {
    const record = await storageOf(agentContext)
      .getById(agentContext, SealedKeyRecord, keyId)
      .catch((error: unknown) => {
        if (error instanceof RecordNotFoundError) return null
        throw error
      })
    if (!record) return null
    const body = new Uint8Array([
      ...TypedArrayEncoder.fromBase64(record.ciphertext),
      ...TypedArrayEncoder.fromBase64(record.authTag),
    ])
    const plaintext = await globalThis.crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: TypedArrayEncoder.fromBase64(record.iv) as BufferSource,
        additionalData: aad(agentContext, keyId),
      },
      await this.aesKey,
      body,
    )
    return JSON.parse(new TextDecoder().decode(plaintext)) as JsonWebKey
  }

  public async delete(agentContext: AgentContext, keyId: string): Promise<boolean> {
    this.cache.delete(keyId)
    try {
      await storageOf(agentContext).deleteById(agentContext, SealedKeyRecord, keyId)
      return true
    } catch (error) {
      if (error instanceof RecordNotFoundError) return false
      throw error
    }
  }
}

const aad = (agentContext: AgentContext, keyId: string) =>
  new TextEncoder().encode(`attesto-local-kms:v1:${agentContext.contextCorrelationId}:${keyId}`)

const storageOf = (agentContext: AgentContext) =>
  agentContext.dependencyManager.resolve<StorageService<SealedKeyRecord>>(InjectionSymbols.StorageService)
