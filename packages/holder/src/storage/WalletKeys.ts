import type { DataEncryptionKey } from '../keys/DataEncryptionKey.js'
import type { PassphraseKdfStrength } from '../keys/passphraseKdf.js'
import type { WalletKms } from '../keys/WalletKms.js'
import { rewrapKeyHeader, type WalletPartition } from '../keys/walletKeyHeader.js'
import type { WalletPlatformStorage } from '../platform/WalletPlatform.js'
import type { EncryptedStorageService } from './EncryptedStorageService.js'
import { unlockWallet } from './unlockWallet.js'

/**
 * The wallet's key in memory, and the two places it is used: the sealed storage and the KMS
 * (whose master key is the DEK). Locking drops both and overwrites the key.
 */
export class WalletKeys {
  private dek?: DataEncryptionKey

  public constructor(
    public readonly partition: WalletPartition,
    private readonly sealed: EncryptedStorageService,
    public readonly kms: WalletKms,
    public readonly strength: PassphraseKdfStrength,
    private readonly keyManagement: WalletPlatformStorage['keyManagement'],
  ) {}

  public get locked(): boolean {
    return this.dek === undefined
  }

  public async unlock(passphrase: string, createIfMissing = false): Promise<void> {
    const dek = await unlockWallet(this.partition, passphrase, { createIfMissing, strength: this.strength })
    this.lock()
    this.dek = dek
    this.sealed.unlock(dek)
    this.kms.unlock(this.keyManagement(dek.bytes, this.partition.walletId))
  }

  public lock(): void {
    this.sealed.lock()
    this.kms.lock()
    this.dek?.destroy()
    this.dek = undefined
  }

  /** Re-wraps the DEK under the new passphrase; records and keys are untouched. */
  public changePassphrase(oldPassphrase: string, newPassphrase: string): Promise<void> {
    return rewrapKeyHeader(this.partition, oldPassphrase, newPassphrase, this.strength)
  }
}
