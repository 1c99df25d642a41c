import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { type AgentContext, InjectionSymbols, Kms, RecordNotFoundError, type StorageService } from '@credo-ts/core'
import type { NodeKeyManagementStorage } from '@credo-ts/node'
import { LocalKmsKeyRecord } from './LocalKmsKeyRecord.js'
import type { MasterKey } from './masterKey.js'

/**
 * Private JWKs encrypted with AES-256-GCM under the master key, kept as {@link LocalKmsKeyRecord}s
 * in the agent's own storage (so per tenant). The additional authenticated data binds each
 * ciphertext to its tenant and key id: a row copied into another tenant or under another id
 * does not decrypt. Keys encrypted under a previous master key are re-encrypted under the
 * current one the first time they are read.
 *
 * Decrypted keys are kept in a bounded in-memory cache per tenant and key id (most recently used
 * kept), so the public-key reads, verifications and decryptions of a protocol flow do not each
 * cost a storage read and a decryption.
 */
export class EncryptedKeyStorage implements NodeKeyManagementStorage {
  private readonly previous: Map<string, MasterKey>
  private readonly decrypted = new Map<string, Kms.KmsJwkPrivate>()

  public constructor(
    private readonly masterKey: MasterKey,
    previousMasterKeys: MasterKey[] = [],
    private readonly cacheSize = 1_000,
  ) {
    this.previous = new Map(previousMasterKeys.map((key) => [key.id, key]))
  }

  public async get(agentContext: AgentContext, keyId: string): Promise<Kms.KmsJwkPrivate | null> {
    const cacheKey = this.cacheKey(agentContext, keyId)
    const cached = this.decrypted.get(cacheKey)
    if (cached) {
      this.decrypted.delete(cacheKey)
      this.decrypted.set(cacheKey, cached)
      return cached
    }
    const jwk = await this.read(agentContext, keyId)
    if (jwk) this.remember(cacheKey, jwk)
    return jwk
  }

  private async read(agentContext: AgentContext, keyId: string): Promise<Kms.KmsJwkPrivate | null> {
    const record = await this.find(agentContext, keyId)
    if (!record) return null
    const masterKey = record.masterKeyId === this.masterKey.id ? this.masterKey : this.previous.get(record.masterKeyId)
    if (!masterKey) {
      throw new Kms.KeyManagementError(
        `Key ${keyId} is encrypted under master key ${record.masterKeyId}, which is not configured`,
      )
    }
    const jwk = this.decrypt(masterKey, agentContext, record)
    if (masterKey !== this.masterKey) {
      Object.assign(record, this.encrypt(agentContext, keyId, jwk))
      await this.storage(agentContext).update(agentContext, record)
    }
    return jwk
  }

  public async has(agentContext: AgentContext, keyId: string): Promise<boolean> {
    return (await this.find(agentContext, keyId)) !== null
  }

  public async set(agentContext: AgentContext, keyId: string, jwk: Kms.KmsJwkPrivate): Promise<void> {
    await this.storage(agentContext).save(agentContext, new LocalKmsKeyRecord(this.encrypt(agentContext, keyId, jwk)))
    this.remember(this.cacheKey(agentContext, keyId), jwk)
  }

  public async delete(agentContext: AgentContext, keyId: string): Promise<boolean> {
    this.decrypted.delete(this.cacheKey(agentContext, keyId))
    try {
      await this.storage(agentContext).deleteById(agentContext, LocalKmsKeyRecord, keyId)
      return true
    } catch (error) {
      if (error instanceof RecordNotFoundError) return false
      throw error
    }
  }

  private cacheKey(agentContext: AgentContext, keyId: string): string {
    return `${agentContext.contextCorrelationId}\u0000${keyId}`
  }

  private remember(cacheKey: string, jwk: Kms.KmsJwkPrivate): void {
    if (this.cacheSize <= 0) return
    if (this.decrypted.size >= this.cacheSize) {
      const leastRecent = this.decrypted.keys().next().value
      if (leastRecent !== undefined) this.decrypted.delete(leastRecent)
    }
    this.decrypted.set(cacheKey, jwk)
  }

  private storage(agentContext: AgentContext): StorageService<LocalKmsKeyRecord> {
    return agentContext.dependencyManager.resolve<StorageService<LocalKmsKeyRecord>>(InjectionSymbols.StorageService)
  }

  private async find(agentContext: AgentContext, keyId: string): Promise<LocalKmsKeyRecord | null> {
    try {
      return await this.storage(agentContext).getById(agentContext, LocalKmsKeyRecord, keyId)
    } catch (error) {
      if (error instanceof RecordNotFoundError) return null
      throw error
    }
  }

  private aad(agentContext: AgentContext, keyId: string): Buffer {
    return Buffer.from(`attesto-local-kms:v1:${agentContext.contextCorrelationId}:${keyId}`)
  }

  private encrypt(agentContext: AgentContext, keyId: string, jwk: Kms.KmsJwkPrivate) {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.masterKey.key, iv)
    cipher.setAAD(this.aad(agentContext, keyId))
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()])
    return {
      id: keyId,
      ciphertext: ciphertext.toString('base64url'),
      iv: iv.toString('base64url'),
      authTag: cipher.getAuthTag().toString('base64url'),
      masterKeyId: this.masterKey.id,
    }
  }

  private decrypt(masterKey: MasterKey, agentContext: AgentContext, record: LocalKmsKeyRecord): Kms.KmsJwkPrivate {
    try {
      const decipher = createDecipheriv('aes-256-gcm', masterKey.key, Buffer.from(record.iv, 'base64url'))
      decipher.setAAD(this.aad(agentContext, record.id))
      decipher.setAuthTag(Buffer.from(record.authTag, 'base64url'))
      const plaintext = Buffer.concat([decipher.update(Buffer.from(record.ciphertext, 'base64url')), decipher.final()])
      return JSON.parse(plaintext.toString('utf8')) as Kms.KmsJwkPrivate
    } catch (error) {
      throw new Kms.KeyManagementError(
        `Key ${record.id} could not be decrypted (wrong master key or tampered record)`,
        {
          cause: error as Error,
        },
      )
    }
  }
}
