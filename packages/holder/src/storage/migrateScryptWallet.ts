import { createHmac, scrypt, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import { GenericRecord, RecordNotFoundError } from '@credo-ts/core'
import { HolderWalletError } from '../errors/HolderWalletError.js'
import { DataEncryptionKey } from '../keys/DataEncryptionKey.js'
import type { PassphraseKdfStrength } from '../keys/passphraseKdf.js'
import { WalletKeyHeaderRecord } from '../keys/WalletKeyHeaderRecord.js'
import { partitionContext, saveNewKeyHeader, type WalletPartition, wrapDataKey } from '../keys/walletKeyHeader.js'
import { EncryptedStorageService } from './EncryptedStorageService.js'
import { rowClassOf, type StoredRow } from './sealedRecords.js'

const scryptAsync = promisify(scrypt) as (p: string, s: Buffer, n: number, o: object) => Promise<Buffer>

/** Where the scrypt versions of the wallet kept their salt and passphrase check (a plaintext GenericRecord). */
export const SCRYPT_RECORD_ID = 'attesto-wallet-kdf'
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }

/** The scrypt version's key: its local KMS master key, which every private key is encrypted under. */
async function scryptKey(partition: WalletPartition, passphrase: string): Promise<Buffer | null> {
  const record = await partition.storage
    .getById(partitionContext(partition.walletId), GenericRecord, SCRYPT_RECORD_ID)
    .catch((error: unknown) => {
      if (error instanceof RecordNotFoundError) return null
      throw error
    })
  if (!record) return null
  const { salt, check } = (record as GenericRecord).content as { salt: string; check: string }
  const key = await scryptAsync(passphrase, Buffer.from(salt, 'base64url'), 32, SCRYPT)
  const computed = createHmac('sha256', key).update('attesto-wallet-passphrase-check').digest('base64url')
  if (computed.length !== check.length || !timingSafeEqual(Buffer.from(computed), Buffer.from(check))) {
    throw new HolderWalletError('wrong_passphrase', 'The passphrase does not open this wallet')
  }
  return key
}

/**
 * Moves a wallet made by the scrypt versions (private keys encrypted, everything else in the
 * clear) to sealed storage, on its first open with the right passphrase. Its DEK is the scrypt
 * key, so the private keys need no re-encryption and a migration cut short by a crash is simply
 * run again on the next open (sealed rows are skipped); the header is written last, then the
 * scrypt record is deleted. Returns null when the partition holds no wallet at all.
 */
export async function migrateScryptWallet(
  partition: WalletPartition,
  passphrase: string,
  strength: PassphraseKdfStrength,
): Promise<DataEncryptionKey | null> {
  const types = await partition.storage.recordTypes(partition.walletId)
  if (types.length === 0) return null
  const legacyKey = await scryptKey(partition, passphrase)
  const dek = legacyKey ? new DataEncryptionKey(legacyKey) : DataEncryptionKey.generate()
  const sealed = new EncryptedStorageService(partition.storage, partition.walletId)
  sealed.unlock(dek)
  const context = partitionContext(partition.walletId)
  for (const type of types) {
    if (type === WalletKeyHeaderRecord.type) continue
    const rows = (await partition.storage.getAll(context, rowClassOf(type))) as StoredRow[]
    for (const row of rows) {
      if (typeof row.sealed === 'string' || row.id === SCRYPT_RECORD_ID) continue
      await sealed.update(context, row)
    }
  }
  const header = await wrapDataKey(partition.walletId, dek, passphrase, strength)
  const winner = await saveNewKeyHeader(partition, header, passphrase)
  await deleteScryptRecord(partition)
  return winner ?? dek
}

/** Drops the scrypt record once the header exists (also when an earlier migration stopped just before). */
export async function deleteScryptRecord(partition: WalletPartition): Promise<void> {
  await partition.storage
    .deleteById(partitionContext(partition.walletId), rowClassOf(GenericRecord.type), SCRYPT_RECORD_ID)
    .catch(() => undefined)
}
