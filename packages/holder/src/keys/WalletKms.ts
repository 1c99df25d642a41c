import type { AgentContext, Kms } from '@credo-ts/core'
import { HolderWalletError } from '../errors/HolderWalletError.js'

interface PrivateKeyExport {
  exportPrivateJwk(agentContext: AgentContext, keyId: string): Promise<JsonWebKey | null> | undefined
}

/**
 * The KMS registered with the agent before the passphrase is checked, and kept while the wallet
 * is locked: the real backend exists only while the wallet's key is in memory.
 */
export class WalletKms implements Kms.KeyManagementService {
  public readonly backend = 'local'
  private inner?: Kms.KeyManagementService

  public unlock(inner: Kms.KeyManagementService): void {
    this.inner = inner
  }

  /** Drops the backend, and with it every decrypted key it keeps in memory. */
  public lock(): void {
    this.inner = undefined
  }

  private get kms(): Kms.KeyManagementService {
    if (!this.inner) throw new HolderWalletError('wallet_locked', 'The wallet is locked: unlock it with its passphrase')
    return this.inner
  }

  /**
   * The private JWK of a key, for a wallet backup; `backup_unsupported` where the key store cannot
   * give one (a browser's non-extractable keys).
   */
  public async exportPrivateJwk(agentContext: AgentContext, keyId: string): Promise<JsonWebKey | null> {
    const exported = (this.kms as Partial<PrivateKeyExport>).exportPrivateJwk?.(agentContext, keyId)
    if (!exported) {
      throw new HolderWalletError(
        'backup_unsupported',
        "This wallet's keys cannot leave its key store (non-extractable keys): it cannot be exported",
      )
    }
    return exported
  }

  public isOperationSupported(...args: Parameters<Kms.KeyManagementService['isOperationSupported']>) {
    return this.inner ? this.inner.isOperationSupported(...args) : true
  }
  public getPublicKey(...args: Parameters<Kms.KeyManagementService['getPublicKey']>) {
    return this.kms.getPublicKey(...args)
  }
  public createKey<Type extends Kms.KmsCreateKeyType>(
    ...args: Parameters<Kms.KeyManagementService['createKey']>
  ): Promise<Kms.KmsCreateKeyReturn<Type>> {
    return this.kms.createKey(...args) as Promise<Kms.KmsCreateKeyReturn<Type>>
  }
  public importKey<Jwk extends Kms.KmsJwkPrivate>(
    ...args: Parameters<Kms.KeyManagementService['importKey']>
  ): Promise<Kms.KmsImportKeyReturn<Jwk>> {
    return this.kms.importKey(...args) as Promise<Kms.KmsImportKeyReturn<Jwk>>
  }
  public deleteKey(...args: Parameters<Kms.KeyManagementService['deleteKey']>) {
    return this.kms.deleteKey(...args)
  }
  public sign(...args: Parameters<Kms.KeyManagementService['sign']>) {
    return this.kms.sign(...args)
  }
  public verify(...args: Parameters<Kms.KeyManagementService['verify']>) {
    return this.kms.verify(...args)
  }
  public encrypt(...args: Parameters<Kms.KeyManagementService['encrypt']>) {
    return this.kms.encrypt(...args)
  }
  public decrypt(...args: Parameters<Kms.KeyManagementService['decrypt']>) {
    return this.kms.decrypt(...args)
  }
  public randomBytes(...args: Parameters<Kms.KeyManagementService['randomBytes']>) {
    return this.kms.randomBytes(...args)
  }
}
