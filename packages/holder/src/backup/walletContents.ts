import {
  type AgentContext,
  type BaseRecordConstructor,
  GenericRecord,
  InjectionSymbols,
  JsonTransformer,
  MdocRecord,
  SdJwtVcRecord,
  type StorageService,
  W3cCredentialRecord,
  W3cV2CredentialRecord,
} from '@credo-ts/core'
import { HolderWalletError } from '../errors/HolderWalletError.js'
import { SealedKeyRecord } from '../keys/SealedCryptoKeyStore.js'
import { WalletKeyHeaderRecord } from '../keys/WalletKeyHeaderRecord.js'
import type { WalletKms } from '../keys/WalletKms.js'
import type { AnyRecord } from '../storage/sealedRecords.js'

/** What a backup holds, once opened: every record of the wallet as JSON, and its private keys. */
export interface WalletBackupContents {
  /** The id of the wallet it was exported from. */
  walletId: string
  exportedAt: string
  /** Credentials (with their cards), deferred credentials, the activity log: each record's JSON, by type. */
  records: { type: string; record: Record<string, unknown> }[]
  /** The wallet's private keys (JWK), by key id: the credentials are bound to them. */
  keys: { keyId: string; privateJwk: JsonWebKey }[]
}

/** The record types a backup carries, and the classes that give each its query tags back. */
const CARRIED: BaseRecordConstructor<AnyRecord>[] = [
  SdJwtVcRecord,
  MdocRecord,
  W3cCredentialRecord,
  W3cV2CredentialRecord,
  GenericRecord,
]
const carried = new Map(CARRIED.map((recordClass) => [recordClass.type, recordClass]))

/** Types each wallet has of its own: its key header, the storage version; keys travel as keys. */
const OWN = new Set([WalletKeyHeaderRecord.type, 'StorageVersionRecord', SealedKeyRecord.type])

const storageOf = (agentContext: AgentContext) =>
  agentContext.dependencyManager.resolve<StorageService<AnyRecord>>(InjectionSymbols.StorageService)

/**
 * Reads every record of the (unlocked) wallet through its sealed storage, and its private keys
 * through its key store. `recordTypes` are the types the wallet's partition holds rows of. A type
 * the backup does not know how to carry fails the export rather than leave it out.
 */
export async function collectContents(
  agentContext: AgentContext,
  walletId: string,
  recordTypes: string[],
  kms: WalletKms,
): Promise<WalletBackupContents> {
  const contents: WalletBackupContents = { walletId, exportedAt: new Date().toISOString(), records: [], keys: [] }
  for (const type of recordTypes) {
    if (type === SealedKeyRecord.type) {
      for (const { id } of await storageOf(agentContext).getAll(agentContext, SealedKeyRecord)) {
        const privateJwk = await kms.exportPrivateJwk(agentContext, id)
        if (privateJwk) contents.keys.push({ keyId: id, privateJwk })
      }
      continue
    }
    if (OWN.has(type)) continue
    const recordClass = carried.get(type)
    if (!recordClass) {
      throw new HolderWalletError(
        'backup_unsupported',
        `The wallet holds records of type ${type}, which a backup cannot carry`,
      )
    }
    for (const record of await storageOf(agentContext).getAll(agentContext, recordClass)) {
      contents.records.push({ type, record: JsonTransformer.toJSON(record) })
    }
  }
  return contents
}

/** Checks what a backup's contents claim to be before anything of it is written (`backup_invalid`). */
export function assertContents(value: unknown): asserts value is WalletBackupContents {
  const contents = value as Partial<WalletBackupContents> | null
  const valid =
    typeof contents?.walletId === 'string' &&
    Array.isArray(contents.records) &&
    Array.isArray(contents.keys) &&
    contents.records.every((entry) => carried.has(entry?.type) && typeof entry.record?.id === 'string') &&
    contents.keys.every((entry) => typeof entry?.keyId === 'string' && typeof entry.privateJwk?.d === 'string')
  if (!valid) throw new HolderWalletError('backup_invalid', 'The backup does not hold what a wallet backup holds')
}

/**
 * Writes a backup's keys into the new wallet's key store and its records into its sealed
 * storage: everything is sealed again under the new wallet's own key (records) and stored as its
 * key store keeps keys (node: sealed under the new key; a browser: non-extractable keys).
 */
export async function restoreContents(
  agentContext: AgentContext,
  contents: WalletBackupContents,
  kms: WalletKms,
): Promise<void> {
  for (const { keyId, privateJwk } of contents.keys) {
    await kms.importKey(agentContext, { privateJwk: { ...privateJwk, kid: keyId } as never })
  }
  const storage = storageOf(agentContext)
  for (const { type, record } of contents.records) {
    const recordClass = carried.get(type) as BaseRecordConstructor<AnyRecord>
    await storage.save(agentContext, JsonTransformer.fromJSON(record, recordClass))
  }
}
