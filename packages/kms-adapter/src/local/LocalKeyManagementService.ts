import { createPrivateKey, type KeyObject, sign as nodeSign } from 'node:crypto'
import { type AgentContext, Kms } from '@credo-ts/core'
import { NodeKeyManagementService } from '@credo-ts/node'
import { decryptEcdhEs, directEcdhEsOf } from '../ecdhEs.js'
import type { KeyWrapping } from '../KeyWrapping.js'
import { EncryptedKeyStorage } from './EncryptedKeyStorage.js'
import { MasterKeyWrapping } from './MasterKeyWrapping.js'
import { derivedSecret, type MasterKey } from './masterKey.js'

export interface LocalKeyManagementServiceOptions {
  /** The current master key (see `loadMasterKeyFile`, `masterKeyFromBase64`). */
  masterKey: MasterKey
  /** Earlier master keys, still accepted for reading; keys move to the current one when read. */
  previousMasterKeys?: MasterKey[]
  /** Decrypted keys kept in memory, per tenant and key id (default 1,000; 0 turns the caches off). */
  signingKeyCacheSize?: number
}

/** Hash and signature encoding for the algorithms signed on the fast path. */
const FAST_SIGN: Record<string, string | null> = {
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
  ES256K: 'sha256',
  EdDSA: null,
  Ed25519: null,
}

interface CachedPrivateKey {
  jwk: Kms.KmsJwkPrivate
  keyObject: KeyObject
}

/**
 * Local key management with node:crypto: the embedded default. Private keys are encrypted at
 * rest (AES-256-GCM under the master key) in the role's own storage, per tenant; they are never
 * written in the clear. It supports everything Credo's own node KMS does, including ECDH-ES
 * with A128GCM/A256GCM for encrypted OID4VP responses, by delegating to it; signing keeps
 * decrypted keys as node KeyObjects in a bounded in-memory cache, so a signature costs what
 * node:crypto costs.
 */
export class LocalKeyManagementService implements Kms.KeyManagementService, KeyWrapping {
  public readonly backend = 'local'
  private readonly node: NodeKeyManagementService
  private readonly storage: EncryptedKeyStorage
  /** Key wrapping: AES-256-GCM under the master key ({@link MasterKeyWrapping}). */
  public readonly wrapKey: KeyWrapping['wrapKey']
  public readonly unwrapKey: KeyWrapping['unwrapKey']
  private readonly privateKeys = new Map<string, CachedPrivateKey>()
  private readonly privateKeyCacheSize: number
  private readonly masterKeys: MasterKey[]

  public constructor(options: LocalKeyManagementServiceOptions) {
    this.masterKeys = [options.masterKey, ...(options.previousMasterKeys ?? [])]
    this.privateKeyCacheSize = options.signingKeyCacheSize ?? 1_000
    this.storage = new EncryptedKeyStorage(options.masterKey, options.previousMasterKeys, this.privateKeyCacheSize)
    this.node = new NodeKeyManagementService(this.storage)
    const wrapping = new MasterKeyWrapping(this.masterKeys)
    this.wrapKey = wrapping.wrapKey.bind(wrapping)
    this.unwrapKey = wrapping.unwrapKey.bind(wrapping)
  }

  /**
   * 32-byte secrets for `purpose` derived from the master keys (HKDF-SHA256): the current key's
   * first, then one per previous key, so what was made under a key before a rotation still checks.
   * Every instance with the same master keys derives the same secrets; the master keys never leave.
   */
  public derivedSecrets(purpose: string): Buffer[] {
    return this.masterKeys.map((masterKey) => derivedSecret(masterKey, purpose))
  }

  public isOperationSupported(agentContext: AgentContext, operation: Kms.KmsOperation): boolean {
    return this.node.isOperationSupported(agentContext, operation)
  }

  public randomBytes(agentContext: AgentContext, options: Kms.KmsRandomBytesOptions): Kms.KmsRandomBytesReturn {
    return this.node.randomBytes(agentContext, options)
  }

  public getPublicKey(agentContext: AgentContext, keyId: string): Promise<Kms.KmsJwkPublic | null> {
    return this.node.getPublicKey(agentContext, keyId)
  }

  public async createKey<Type extends Kms.KmsCreateKeyType>(
    agentContext: AgentContext,
    options: Kms.KmsCreateKeyOptions<Type>,
  ): Promise<Kms.KmsCreateKeyReturn<Type>> {
    if (!this.isOperationSupported(agentContext, { operation: 'createKey', type: options.type })) {
      const type = options.type as { kty: string; crv?: string; algorithm?: string }
      throw new Kms.KeyManagementAlgorithmNotSupportedError(
        `key type ${[type.kty, type.crv ?? type.algorithm].filter(Boolean).join(' ')}`,
        this.backend,
      )
    }
    return this.node.createKey(agentContext, options)
  }

  public importKey<Jwk extends Kms.KmsJwkPrivate>(
    agentContext: AgentContext,
    options: Kms.KmsImportKeyOptions<Jwk>,
  ): Promise<Kms.KmsImportKeyReturn<Jwk>> {
    return this.node.importKey(agentContext, options)
  }

  public async deleteKey(agentContext: AgentContext, options: Kms.KmsDeleteKeyOptions): Promise<boolean> {
    this.privateKeys.delete(this.cacheKey(agentContext, options.keyId))
    return this.node.deleteKey(agentContext, options)
  }

  public async sign(agentContext: AgentContext, options: Kms.KmsSignOptions): Promise<Kms.KmsSignReturn> {
    const hash = FAST_SIGN[options.algorithm]
    if (hash === undefined) return this.node.sign(agentContext, options)
    const key = await this.privateKey(agentContext, options.keyId)
    Kms.assertAllowedSigningAlgForKey(key.jwk, options.algorithm)
    Kms.assertKeyAllowsSign(key.jwk)
    const signature = nodeSign(hash, options.data, { key: key.keyObject, dsaEncoding: 'ieee-p1363' })
    return { signature: new Uint8Array(signature) }
  }

  public verify(agentContext: AgentContext, options: Kms.KmsVerifyOptions): Promise<Kms.KmsVerifyReturn> {
    return this.node.verify(agentContext, options)
  }

  public encrypt(agentContext: AgentContext, options: Kms.KmsEncryptOptions): Promise<Kms.KmsEncryptReturn> {
    return this.node.encrypt(agentContext, options)
  }

  /**
   * Direct ECDH-ES with A128GCM or A256GCM (encrypted OID4VP responses) is decrypted here with the
   * cached private key: one key agreement, the Concat KDF, AES-GCM. Everything else goes to
   * Credo's node KMS.
   */
  public async decrypt(agentContext: AgentContext, options: Kms.KmsDecryptOptions): Promise<Kms.KmsDecryptReturn> {
    const direct = directEcdhEsOf(options)
    if (!direct) return this.node.decrypt(agentContext, options)
    const key = await this.privateKey(agentContext, direct.keyId)
    Kms.assertAllowedKeyDerivationAlgForKey(key.jwk, 'ECDH-ES')
    Kms.assertKeyAllowsDerive(key.jwk)
    Kms.assertAsymmetricJwkKeyTypeMatches(key.jwk as never, direct.senderPublicJwk as never)
    try {
      const data = decryptEcdhEs({
        privateKey: key.keyObject,
        senderPublicJwk: direct.senderPublicJwk,
        ...direct.content,
      })
      return { data: new Uint8Array(data) }
    } catch (error) {
      throw new Kms.KeyManagementError('Error decrypting', { cause: error as Error })
    }
  }

  private cacheKey(agentContext: AgentContext, keyId: string): string {
    return `${agentContext.contextCorrelationId}\u0000${keyId}`
  }

  private async privateKey(agentContext: AgentContext, keyId: string): Promise<CachedPrivateKey> {
    const cacheKey = this.cacheKey(agentContext, keyId)
    const cached = this.privateKeys.get(cacheKey)
    if (cached) return cached
    const jwk = await this.storage.get(agentContext, keyId)
    if (!jwk) throw new Kms.KeyManagementKeyNotFoundError(keyId, [this.backend])
    const entry = {
      jwk,
      keyObject: createPrivateKey({ format: 'jwk', key: jwk as unknown as import('node:crypto').JsonWebKey }),
    }
    if (this.privateKeys.size >= this.privateKeyCacheSize) {
      const oldest = this.privateKeys.keys().next().value
      if (oldest !== undefined) this.privateKeys.delete(oldest)
    }
    this.privateKeys.set(cacheKey, entry)
    return entry
  }
}
