import { type AgentContext, CredoError, RecordDuplicateError, RecordNotFoundError } from '@credo-ts/core'
import { HolderWalletError, WalletPassphraseError } from '../errors/HolderWalletError.js'
import type { WalletRecordStore } from '../platform/WalletPlatform.js'
import { DataEncryptionKey, openBytesWith, sealWith } from './DataEncryptionKey.js'
import {
  type Argon2idParameters,
  DEFAULT_KDF_STRENGTH,
  deriveKeyEncryptionKey,
  isWeaker,
  newKdfParameters,
  type PassphraseKdfStrength,
} from './passphraseKdf.js'
import { WalletKeyHeaderRecord } from './WalletKeyHeaderRecord.js'

/** The storage the header lives in, addressed by wallet id (the partition). */
export interface WalletPartition {
  storage: WalletRecordStore
  walletId: string
}

/** The inner storage only reads `contextCorrelationId`: the wallet id is the partition. */
export const partitionContext = (walletId: string) => ({ contextCorrelationId: walletId }) as AgentContext

/** The additional data a wrapped key is bound to: its wallet and the very parameters it was made under. */
const wrapAad = (walletId: string, kdf: Argon2idParameters) =>
  `attesto-wallet-key:v1:${walletId}:${kdf.algorithm}:${kdf.memoryKiB}:${kdf.iterations}:${kdf.parallelism}:${kdf.salt}`

export async function wrapDataKey(
  walletId: string,
  dek: DataEncryptionKey,
  passphrase: string,
  strength: PassphraseKdfStrength,
): Promise<WalletKeyHeaderRecord> {
  const kdf = newKdfParameters(strength)
  const kek = await deriveKeyEncryptionKey(passphrase, kdf)
  try {
    return new WalletKeyHeaderRecord({ kdf, wrappedKey: await sealWith(kek, dek.bytes, wrapAad(walletId, kdf)) })
  } finally {
    kek.fill(0)
  }
}

/** The DEK under `passphrase`, or `wrong_passphrase`. */
export async function unwrapDataKey(
  walletId: string,
  header: WalletKeyHeaderRecord,
  passphrase: string,
): Promise<DataEncryptionKey> {
  const kek = await deriveKeyEncryptionKey(passphrase, header.kdf)
  try {
    return new DataEncryptionKey(await openBytesWith(kek, header.wrappedKey, wrapAad(walletId, header.kdf)))
  } catch {
    throw new WalletPassphraseError('The passphrase does not open this wallet')
  } finally {
    kek.fill(0)
  }
}

export async function readKeyHeader({ storage, walletId }: WalletPartition): Promise<WalletKeyHeaderRecord | null> {
  try {
    return (await storage.getById(
      partitionContext(walletId),
      WalletKeyHeaderRecord,
      WalletKeyHeaderRecord.ID,
    )) as WalletKeyHeaderRecord
  } catch (error) {
    if (error instanceof RecordNotFoundError) return null
    throw error
  }
}

/**
 * Saves the header of a new wallet. When another process made the wallet at the same moment,
 * its header wins and this passphrase must open it: a wallet is never made twice.
 */
export async function saveNewKeyHeader(
  partition: WalletPartition,
  header: WalletKeyHeaderRecord,
  passphrase: string,
): Promise<DataEncryptionKey | null> {
  try {
    await partition.storage.save(partitionContext(partition.walletId), header)
    return null
  } catch (error) {
    if (!(error instanceof RecordDuplicateError)) throw error
    const winner = await readKeyHeader(partition)
    if (!winner) throw error
    return unwrapDataKey(partition.walletId, winner, passphrase)
  }
}

/**
 * Re-wraps the DEK under `newPassphrase` (and `strength`). Both Argon2id derivations run first,
 * outside any transaction; then one transaction locks the header's row and swaps in the new
 * wrapped key only if the header is still the one `oldPassphrase` opened (else it starts over,
 * and a passphrase changed meanwhile fails as `wrong_passphrase`). The DEK and every record stay
 * as they are, and until that one UPDATE commits the old passphrase is the one that works.
 */
export async function rewrapKeyHeader(
  partition: WalletPartition,
  oldPassphrase: string,
  newPassphrase: string,
  strength: PassphraseKdfStrength = DEFAULT_KDF_STRENGTH,
): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const read = await readKeyHeader(partition)
    if (!read) throw new HolderWalletError('wallet_not_found', `There is no wallet '${partition.walletId}' here`)
    const dek = await unwrapDataKey(partition.walletId, read, oldPassphrase)
    const next = await wrapDataKey(partition.walletId, dek, newPassphrase, strength).finally(() => dek.destroy())
    let swapped = false
    await partition.storage.updateByIdWithLock(
      partitionContext(partition.walletId),
      WalletKeyHeaderRecord,
      WalletKeyHeaderRecord.ID,
      async (locked) => {
        const header = locked as WalletKeyHeaderRecord
        if (header.wrappedKey !== read.wrappedKey) return header
        swapped = true
        return Object.assign(header, { kdf: next.kdf, wrappedKey: next.wrappedKey })
      },
    )
    if (swapped) return
  }
  throw new CredoError('The wallet key header kept changing while the passphrase was being changed')
}

/** Whether the stored parameters are weaker than those the wallet opens with now. */
export function needsStrongerKdf(header: WalletKeyHeaderRecord, strength: PassphraseKdfStrength): boolean {
  return isWeaker(header.kdf, strength)
}
