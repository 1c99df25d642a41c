import {
  type AgentContext,
  type BaseRecord,
  type BaseRecordConstructor,
  JsonTransformer,
  type Query,
  type QueryOptions,
  RecordDuplicateError,
  RecordNotFoundError,
  type TagsBase,
} from '@credo-ts/core'
import type { WalletRecordStore } from '../platform/WalletPlatform.js'
import { committed, RECORDS, requestOf } from './indexedDb.js'
import { matchesQuery } from './matchesQuery.js'

// biome-ignore lint/suspicious/noExplicitAny: Credo's own storage contract is typed this way.
type AnyRecord = BaseRecord<any, any, any>

/** One row: the record's JSON (for the wallet: sealed) and its tags (for the wallet: hashed). */
interface RecordRow {
  walletId: string
  type: string
  id: string
  value: Record<string, unknown>
  tags: TagsBase
  createdAt: string
}

/**
 * The wallet's record store in a browser: one IndexedDB object store, rows keyed by wallet
 * (partition), record type and id. Queries read the rows of one type and match their tags in
 * memory (a wallet holds few records). `updateByIdWithLock` holds a Web Lock per record, so two
 * tabs of one wallet cannot interleave a read-change-write.
 */
export class IndexedDbRecordStore implements WalletRecordStore {
  public readonly supportsCursorPagination = false

  public constructor(private readonly database: IDBDatabase) {}

  public async save(agentContext: AgentContext, record: AnyRecord): Promise<void> {
    record.updatedAt = new Date()
    const transaction = this.database.transaction(RECORDS, 'readwrite')
    const done = committed(transaction)
    try {
      await requestOf(transaction.objectStore(RECORDS).add(rowOf(agentContext, record)))
      await done
    } catch (error) {
      await done.catch(() => undefined)
      if ((error as DOMException)?.name !== 'ConstraintError') throw error
      throw new RecordDuplicateError(`Record with id ${record.id} already exists`, { recordType: record.type })
    }
  }

  public async update(agentContext: AgentContext, record: AnyRecord): Promise<void> {
    const transaction = this.database.transaction(RECORDS, 'readwrite')
    const store = transaction.objectStore(RECORDS)
    const done = committed(transaction)
    const existing = await requestOf(store.get([partitionOf(agentContext), record.type, record.id]))
    if (!existing) {
      transaction.abort()
      await done.catch(() => undefined)
      throw notFound(record.type, record.id)
    }
    record.updatedAt = new Date()
    store.put(rowOf(agentContext, record))
    await done
  }

  public async delete(agentContext: AgentContext, record: AnyRecord): Promise<void> {
    await this.deleteById(agentContext, { type: record.type } as BaseRecordConstructor<AnyRecord>, record.id)
  }

  public async deleteById(
    agentContext: AgentContext,
    recordClass: BaseRecordConstructor<AnyRecord>,
    id: string,
  ): Promise<void> {
    const transaction = this.database.transaction(RECORDS, 'readwrite')
    const store = transaction.objectStore(RECORDS)
    const done = committed(transaction)
    const key = [partitionOf(agentContext), recordClass.type, id]
    const existing = await requestOf(store.count(key))
    if (existing === 0) {
      transaction.abort()
      await done.catch(() => undefined)
      throw notFound(recordClass.type, id)
    }
    store.delete(key)
    await done
  }

  public async getById<T extends AnyRecord>(
    agentContext: AgentContext,
    recordClass: BaseRecordConstructor<T>,
    id: string,
  ): Promise<T> {
    const store = this.database.transaction(RECORDS, 'readonly').objectStore(RECORDS)
    const row = (await requestOf(store.get([partitionOf(agentContext), recordClass.type, id]))) as RecordRow | undefined
    if (!row) throw notFound(recordClass.type, id)
    return recordOf(row, recordClass)
  }

  public async getAll<T extends AnyRecord>(agentContext: AgentContext, recordClass: BaseRecordConstructor<T>) {
    return this.findByQuery(agentContext, recordClass, {})
  }

  public async findByQuery<T extends AnyRecord>(
    agentContext: AgentContext,
    recordClass: BaseRecordConstructor<T>,
    query: Query<T>,
    queryOptions: QueryOptions = {},
  ): Promise<T[]> {
    const store = this.database.transaction(RECORDS, 'readonly').objectStore(RECORDS)
    const rows = (await requestOf(
      store.index('byType').getAll([partitionOf(agentContext), recordClass.type]),
    )) as RecordRow[]
    const matching = rows
      .filter((row) => matchesQuery(row.tags, query as Record<string, unknown>))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
    const offset = queryOptions.offset ?? 0
    const page = matching.slice(offset, queryOptions.limit === undefined ? undefined : offset + queryOptions.limit)
    return page.map((row) => recordOf(row, recordClass))
  }

  public async updateByIdWithLock<T extends AnyRecord>(
    agentContext: AgentContext,
    recordClass: BaseRecordConstructor<T>,
    id: string,
    updateCallback: (record: T) => Promise<T>,
  ): Promise<T> {
    const name = `attesto-wallet:${partitionOf(agentContext)}:${recordClass.type}:${id}`
    return withLock(name, async () => {
      const updated = await updateCallback(await this.getById(agentContext, recordClass, id))
      await this.update(agentContext, updated)
      return updated
    })
  }

  public async recordTypes(partition: string): Promise<string[]> {
    const store = this.database.transaction(RECORDS, 'readonly').objectStore(RECORDS)
    const rows = (await requestOf(store.index('byWallet').getAll(partition))) as RecordRow[]
    return [...new Set(rows.map((row) => row.type))].sort()
  }
}

const partitionOf = (agentContext: AgentContext) => agentContext.contextCorrelationId

const notFound = (recordType: string, id: string) =>
  new RecordNotFoundError(`record with id ${id} not found.`, { recordType })

function rowOf(agentContext: AgentContext, record: AnyRecord): RecordRow {
  const value = JsonTransformer.toJSON(record) as Record<string, unknown>
  delete value._tags
  const tags = Object.fromEntries(
    Object.entries(record.getTags() as TagsBase).filter(([, tag]) => tag !== null && tag !== undefined),
  ) as TagsBase
  const createdAt = record.createdAt instanceof Date ? record.createdAt.toISOString() : String(record.createdAt)
  return { walletId: partitionOf(agentContext), type: record.type, id: record.id, value, tags, createdAt }
}

function recordOf<T extends AnyRecord>(row: RecordRow, recordClass: BaseRecordConstructor<T>): T {
  const record = JsonTransformer.fromJSON(row.value, recordClass, { validate: false })
  record.replaceTags(row.tags)
  return record
}

const localLocks = new Map<string, Promise<unknown>>()

/** Runs `work` under a Web Lock (across tabs), or an in-page queue where Web Locks are missing. */
function withLock<T>(name: string, work: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks
  if (locks) return locks.request(name, work) as Promise<T>
  const previous = localLocks.get(name) ?? Promise.resolve()
  const next = previous.catch(() => undefined).then(work)
  localLocks.set(name, next)
  return next
}
