import { HolderWalletError } from '../errors/HolderWalletError.js'
import { DataEncryptionKey } from '../keys/DataEncryptionKey.js'
import type { PassphraseKdfStrength } from '../keys/passphraseKdf.js'
import {
  needsStrongerKdf,
  readKeyHeader,
  rewrapKeyHeader,
  saveNewKeyHeader,
  unwrapDataKey,
  type WalletPartition,
  wrapDataKey,
} from '../keys/walletKeyHeader.js'
import { deleteScryptRecord, migrateScryptWallet } from './migrateScryptWallet.js'

export interface UnlockWalletOptions {
  /** Make the wallet when the partition holds none (false: `wallet_not_found`). */
  createIfMissing: boolean
  /** The Argon2id strength the wallet is opened with: weaker stored parameters are re-wrapped. */
  strength: PassphraseKdfStrength
}

/**
 * The wallet's DEK under `passphrase`. An existing wallet opens or fails (`wrong_passphrase`),
 * never turns into a new one; a wallet of the scrypt versions is migrated; an empty partition
 * gets a new wallet (unless `createIfMissing` is false).
 */
export async function unlockWallet(
  partition: WalletPartition,
  passphrase: string,
  options: UnlockWalletOptions,
): Promise<DataEncryptionKey> {
  const header = await readKeyHeader(partition)
  if (header) {
    const dek = await unwrapDataKey(partition.walletId, header, passphrase)
    if (needsStrongerKdf(header, options.strength)) {
      await rewrapKeyHeader(partition, passphrase, passphrase, options.strength)
    }
    await deleteScryptRecord(partition)
    return dek
  }
  const migrated = await migrateScryptWallet(partition, passphrase, options.strength)
  if (migrated) return migrated
  if (!options.createIfMissing) {
    throw new HolderWalletError('wallet_not_found', `There is no wallet '${partition.walletId}' in this storage`)
  }
  const dek = DataEncryptionKey.generate()
  const newHeader = await wrapDataKey(partition.walletId, dek, passphrase, options.strength)
  const winner = await saveNewKeyHeader(partition, newHeader, passphrase)
  if (!winner) return dek
  dek.destroy()
  return winner
}
