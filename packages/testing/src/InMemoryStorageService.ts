import {
  type AgentContext,
  type BaseRecord,
  type BaseRecordConstructor,
  type DependencyManager,
  InjectionSymbols,
  JsonTransformer,
  type Module,
  type Query,
  RecordDuplicateError,
  RecordNotFoundError,
  type StorageService,
  StorageUpdateService,
  StorageVersionRecord,
  type TagsBase,
} from '@credo-ts/core'

// biome-ignore lint/suspicious/noExplicitAny: Credo's own storage contract is typed this way.
type AnyRecord = BaseRecord<any, any, any>

interface StoredRecord {
  type: string
  value: Record<string, unknown>
  tags: TagsBase
}

/**
 * The baseline for benchmarks: storage the way Credo's in-memory test storage works, a map per
 * agent context, every query a scan of all records of the type with the tags matched in
 * JavaScript and every hit deserialised again. Not for anything but comparison.
 */
export class InMemoryStorageService<T extends AnyRecord = AnyRecord> implements StorageService<T> {
  public readonly supportsCursorPagination = false
  private readonly contexts = new Map<string, Map<string, StoredRecord>>()

  private records(agentContext: AgentContext): Map<string, StoredRecord> {
    let records = this.contexts.get(agentContext.contextCorrelationId)
    if (!records) {
      records = new Map()
      this.contexts.set(agentContext.contextCorrelationId, records)
    }
    return records
  }

  private key(type: string, id: string) {
    return `${type}:${id}`
  }

  public async save(agentContext: AgentContext, record: T): Promise<void> {
    record.updatedAt = new Date()
    const records = this.records(agentContext)
    const key = this.key(record.type, record.id)
    if (records.has(key))
      throw new RecordDuplicateError(`Record with id ${record.id} already exists`, { recordType: record.type })
    records.set(key, this.stored(record))
  }

  public async update(agentContext: AgentContext, record: T): Promise<void> {
    record.updatedAt = new Date()
    const records = this.records(agentContext)
    const key = this.key(record.type, record.id)
    if (!records.has(key))
      throw new RecordNotFoundError(`record with id ${record.id} not found.`, { recordType: record.type })
    records.set(key, this.stored(record))
  }

  public async delete(agentContext: AgentContext, record: T): Promise<void> {
    await this.deleteById(agentContext, record.constructor as BaseRecordConstructor<T>, record.id)
  }

  public async deleteById(
    agentContext: AgentContext,
    recordClass: BaseRecordConstructor<T>,
    id: string,
  ): Promise<void> {
    if (!this.records(agentContext).delete(this.key(recordClass.type, id))) {
      throw new RecordNotFoundError(`record with id ${id} not found.`, { recordType: recordClass.type })
    }
  }

  public async getById(agentContext: AgentContext, recordClass: BaseRecordConstructor<T>, id: string): Promise<T> {
    const stored = this.records(agentContext).get(this.key(recordClass.type, id))
    if (!stored) throw new RecordNotFoundError(`record with id ${id} not found.`, { recordType: recordClass.type })
    return this.recordFrom(stored, recordClass)
  }

  public async getAll(agentContext: AgentContext, recordClass: BaseRecordConstructor<T>): Promise<T[]> {
    return this.scan(agentContext, recordClass, () => true)
  }

  public async findByQuery(
    agentContext: AgentContext,
    recordClass: BaseRecordConstructor<T>,
    query: Query<T>,
  ): Promise<T[]> {
    return this.scan(agentContext, recordClass, (tags) => matches(tags, query as Query<AnyRecord>))
  }

  /** As Credo's in-memory storage does it: every record of the context, those of the type whose tags pass. */
  private scan(agentContext: AgentContext, recordClass: BaseRecordConstructor<T>, keep: (tags: TagsBase) => boolean) {
    const found: T[] = []
    for (const stored of this.records(agentContext).values()) {
      if (stored.type === recordClass.type && keep(stored.tags)) found.push(this.recordFrom(stored, recordClass))
    }
    return found
  }

  private stored(record: T): StoredRecord {
    return { type: record.type, value: JsonTransformer.toJSON(record), tags: record.getTags() as TagsBase }
  }

  private recordFrom(stored: StoredRecord, recordClass: BaseRecordConstructor<T>): T {
    const record = JsonTransformer.fromJSON(stored.value, recordClass)
    record.replaceTags(stored.tags as never)
    return record
  }
}

function matches(tags: TagsBase, query: Query<AnyRecord>): boolean {
  const { $and, $or, $not, ...simple } = query as Record<string, unknown> & {
    $and?: Query<AnyRecord>[]
    $or?: Query<AnyRecord>[]
    $not?: Query<AnyRecord>
  }
  for (const [name, wanted] of Object.entries(simple)) {
    if (wanted === undefined) continue
    const actual = tags[name]
    if (Array.isArray(wanted)) {
      if (!Array.isArray(actual) || !wanted.every((value) => actual.includes(value))) return false
    } else if (wanted === null) {
      if (actual !== undefined && actual !== null) return false
    } else if (actual !== wanted) return false
  }
  if ($and && !$and.every((part) => matches(tags, part))) return false
  if ($or && !$or.some((part) => matches(tags, part))) return false
  if ($not && matches(tags, $not)) return false
  return true
}

/** Registers an {@link InMemoryStorageService} as the agent's storage. */
export class InMemoryStorageModule implements Module {
  public constructor(public readonly storageService = new InMemoryStorageService()) {}

  public register(dependencyManager: DependencyManager): void {
    dependencyManager.registerInstance(InjectionSymbols.StorageService, this.storageService)
  }

  /** A new store is at the current storage version (as Askar marks a new wallet). */
  public async onInitializeContext(agentContext: AgentContext): Promise<void> {
    const records = await this.storageService.getAll(agentContext, StorageVersionRecord as never)
    if (records.length > 0) return
    await this.storageService.save(
      agentContext,
      new StorageVersionRecord({ storageVersion: StorageUpdateService.frameworkStorageVersion }) as never,
    )
  }
}
