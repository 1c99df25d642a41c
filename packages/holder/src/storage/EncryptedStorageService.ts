import {
  type AgentContext,
  type BaseRecordConstructor,
  CredoError,
  JsonTransformer,
  type Query,
  type QueryOptions,
  type StorageService,
} from '@credo-ts/core'
import { HolderWalletError } from '../errors/HolderWalletError.js'
import type { DataEncryptionKey } from '../keys/DataEncryptionKey.js'
import { partitionContext } from '../keys/walletKeyHeader.js'
import type { WalletRecordStore } from '../platform/WalletPlatform.js'
import { type AnyRecord, hashedQuery, hashedTags, recordAad, rowClassOf, type StoredRow } from './sealedRecords.js'

/**
 * Credo's `StorageService` for one wallet, over the role's PostgreSQL/PGlite storage. Every
 * record is stored sealed: its whole JSON (credentials, their card and claims, history entries,
 * deferred tokens, the KMS's already-encrypted keys) is AES-256-GCM ciphertext under a key
 * derived from the wallet's DEK, bound to the wallet, record type and id. What stays readable
 * in a row: the wallet id (partition), record type, record id, timestamps, tag names, and tag
 * values as keyed hashes (so queries still run on the index). Every call, whatever the agent
 * context, goes to this wallet's partition.
 *
 * Locked (no DEK in memory), every call fails with `wallet_locked`.
 */
export class EncryptedStorageService<T extends AnyRecord = AnyRecord> implements StorageService<T> {
  private dek?: DataEncryptionKey

  public constructor(
    private readonly inner: WalletRecordStore,
    public readonly walletId: string,
  ) {}

  /** As the store under it: PostgreSQL pages by cursor, IndexedDB by offset only. */
  public get supportsCursorPagination(): boolean {
    return this.inner.supportsCursorPagination ?? false
  }

  public unlock(dek: DataEncryptionKey): void {
    this.dek = dek
  }

  public lock(): void {
    this.dek = undefined
  }

  public supportsLocking(): boolean {
    return true
  }

  public async save(_: AgentContext, record: T): Promise<void> {
    const row = await this.seal(record)
    await this.inner.save(this.context, row)
    record.updatedAt = row.updatedAt
  }

  public async update(_: AgentContext, record: T): Promise<void> {
    const row = await this.seal(record)
    await this.inner.update(this.context, row)
    record.updatedAt = row.updatedAt
  }

  public async delete(_: AgentContext, record: T): Promise<void> {
    this.key()
    await this.inner.deleteById(this.context, rowClassOf(record.type), record.id)
  }

  public async deleteById(_: AgentContext, recordClass: BaseRecordConstructor<T>, id: string): Promise<void> {
    this.key()
    await this.inner.deleteById(this.context, rowClassOf(recordClass.type), id)
  }

  public async getById(_: AgentContext, recordClass: BaseRecordConstructor<T>, id: string): Promise<T> {
    this.key()
    return await this.open(await this.inner.getById(this.context, rowClassOf(recordClass.type), id), recordClass)
  }

  public async getAll(agentContext: AgentContext, recordClass: BaseRecordConstructor<T>): Promise<T[]> {
    return this.findByQuery(agentContext, recordClass, {})
  }

  public async findByQuery(
    _: AgentContext,
    recordClass: BaseRecordConstructor<T>,
    query: Query<T>,
    queryOptions?: QueryOptions,
  ): Promise<T[]> {
    const dek = this.key()
    const rows = await this.inner.findByQuery(
      this.context,
      rowClassOf(recordClass.type),
      hashedQuery(dek, recordClass.type, query) as Query<StoredRow>,
      queryOptions,
    )
    return Promise.all(rows.map((row) => this.open(row as StoredRow, recordClass)))
  }

  public async updateByIdWithLock(
    _: AgentContext,
    recordClass: BaseRecordConstructor<T>,
    id: string,
    updateCallback: (record: T) => Promise<T>,
  ): Promise<T> {
    this.key()
    let updated: T | undefined
    await this.inner.updateByIdWithLock(this.context, rowClassOf(recordClass.type), id, async (row) => {
      updated = await updateCallback(await this.open(row as StoredRow, recordClass))
      return this.seal(updated)
    })
    return updated as T
  }

  private get context(): AgentContext {
    return partitionContext(this.walletId)
  }

  private key(): DataEncryptionKey {
    if (!this.dek) throw new HolderWalletError('wallet_locked', 'The wallet is locked: unlock it with its passphrase')
    return this.dek
  }

  /** The sealed row of a record: its JSON (tags included) encrypted, its tags hashed. */
  private async seal(record: T): Promise<StoredRow> {
    const dek = this.key()
    const RowClass = rowClassOf(record.type)
    const row = new RowClass()
    row.id = record.id
    row.createdAt = record.createdAt
    row.sealed = await dek.seal(
      JSON.stringify(JsonTransformer.toJSON(record)),
      recordAad(this.walletId, record.type, record.id),
    )
    row.replaceTags(hashedTags(dek, record.type, record.getTags()))
    return row
  }

  private async open(row: StoredRow, recordClass: BaseRecordConstructor<T>): Promise<T> {
    const dek = this.key()
    if (typeof row.sealed !== 'string') {
      throw new CredoError(`Record ${recordClass.type} ${row.id} of wallet ${this.walletId} is not sealed`)
    }
    let json: Record<string, unknown>
    try {
      json = JSON.parse(await dek.open(row.sealed, recordAad(this.walletId, recordClass.type, row.id)))
    } catch (error) {
      throw new CredoError(`Record ${recordClass.type} ${row.id} does not open under this wallet's key`, {
        cause: error as Error,
      })
    }
    const record = JsonTransformer.fromJSON(json, recordClass, { validate: false })
    record.updatedAt = row.updatedAt
    return record
  }
}
