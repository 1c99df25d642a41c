import { BaseRecord, type TagsBase } from '@credo-ts/core'
import type { Argon2idParameters } from './passphraseKdf.js'

export interface WalletKeyHeaderRecordProps {
  kdf: Argon2idParameters
  wrappedKey: string
}

/**
 * What opens a wallet, stored in the clear in the wallet's partition (it is read before any key
 * exists): the Argon2id parameters and salt, and the data-encryption key wrapped (AES-256-GCM)
 * under the key derived from the passphrase. The wrapped key is also the verifier: under a
 * wrong passphrase its authentication tag fails, so no second wallet is ever made over it.
 */
export class WalletKeyHeaderRecord extends BaseRecord<TagsBase> {
  public static override readonly type = 'AttestoWalletKeyHeader'
  public override readonly type = WalletKeyHeaderRecord.type
  public static readonly ID = 'attesto-wallet-key'

  public kdf!: Argon2idParameters
  public wrappedKey!: string

  public constructor(props?: WalletKeyHeaderRecordProps) {
    super()
    if (props) {
      this.id = WalletKeyHeaderRecord.ID
      this.createdAt = new Date()
      this.kdf = props.kdf
      this.wrappedKey = props.wrappedKey
    }
  }

  public getTags(): TagsBase {
    return { ...this._tags }
  }
}
