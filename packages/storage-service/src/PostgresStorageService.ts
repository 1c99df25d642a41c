import {
  type AgentContext,
  type BaseRecord,
  type BaseRecordConstructor,
  decodeCursor,
  JsonTransformer,
  type Query,
  type QueryOptions,
  RecordDuplicateError,
  RecordNotFoundError,
  type StorageService,
  type TagsBase,
} from '@credo-ts/core'
import type { Database, SqlSession } from './database/Database.js'
import { isUniqueViolation } from './database/mapDatabaseError.js'
import { schemaIdentifier } from './migrations/schemaIdentifier.js'
import { queryToSql, storedTags } from './query/queryToSql.js'
import { DEFAULT_TTL_SECONDS_BY_RECORD_TYPE } from './recordTtl.js'
import { StorageQueryError } from './StorageServiceError.js'

// biome-ignore lint/suspicious/noExplicitAny: Credo's own storage contract is typed this way.
type AnyRecord = BaseRecord<any, any, any>

export interface PostgresStorageServiceOptions {
  /** PostgreSQL or PGlite, already migrated for `schema`. */
  database: Database
  /** The role's schema (`issuer`, `verifier`, `holder`, …). */
  schema: string
  /**
   * Seconds a record of a type lives after its last write; `null` keeps that type forever.
   * Merged over {@link DEFAULT_TTL_SECONDS_BY_RECORD_TYPE}.
   */
  ttlSecondsByRecordType?: Record<string, number | null>
  /** Record types whose `getAll` and `findByQuery` tolerate replica lag and may go to the read replica. */
  replicaReadRecordTypes?: string[]
}

interface RecordRow {
  value: Record<string, unknown>
  tags: TagsBase
}

const LIVE = '(expires_at IS NULL OR expires_at > now())'

/**
 * Credo's `StorageService` on PostgreSQL (or PGlite). Every row belongs to the tenant of the
 * agent context (its `contextCorrelationId`). Every statement filters on it, and runs on the
 * `tenant_records` view, which lets the session reach only the tenant bound to it (the second
 * wall). Expired rows are invisible at once and purged by the {@link ExpiredRecordCleaner}.
 */
export class PostgresStorageService<T extends AnyRecord = AnyRecord> implements StorageService<T> {
  public readonly supportsCursorPagination = true

  private readonly database: Database
  private readonly table: string
  private readonly ttlSeconds: Map<string, number>
  private readonly replicaReadTypes: Set<string>

  public constructor(options: PostgresStorageServiceOptions) {
    this.database = options.database
    this.table = `${schemaIdentifier(options.schema)}.tenant_records`
    const ttl = { ...DEFAULT_TTL_SECONDS_BY_RECORD_TYPE, ...options.ttlSecondsByRecordType }
    this.ttlSeconds = new Map(
      Object.entries(ttl).filter((entry): entry is [string, number] => typeof entry[1] === 'number'),
    )
    this.replicaReadTypes = new Set(options.replicaReadRecordTypes)
  }

  /** Seconds a record of this type lives after its last write, or undefined when it does not expire. */
  public ttlSecondsFor(recordType: string): number | undefined {
    return this.ttlSeconds.get(recordType)
  }

  public supportsLocking(): boolean {
    return true
  }

  public async save(agentContext: AgentContext, record: T): Promise<void> {
    record.updatedAt = new Date()
    const tenantId = agentContext.contextCorrelationId
    const [value, tags] = this.rowValues(record)
    const ttlSeconds = this.ttlSeconds.get(record.type) ?? null
    try {
      await this.database.withTenant(tenantId, (session) =>
        session.query(
          `INSERT INTO ${this.table} (tenant_id, record_type, id, value, tags, created_at, updated_at, expires_at)
           VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, now(), now() + make_interval(secs => $7))`,
          [tenantId, record.type, record.id, value, tags, record.createdAt, ttlSeconds],
        ),
      )
    } catch (error) {
      if (!isUniqueViolation(error)) throw error
      // The id is taken. An expired row (invisible already) gives way; a live one is a duplicate.
      // A plain INSERT first keeps the common path a quarter faster than INSERT … ON CONFLICT.
      const { rowCount } = await this.database.withTenant(tenantId, (session) =>
        session.query(
          `UPDATE ${this.table} SET value = $4::jsonb, tags = $5::jsonb, created_at = $6, updated_at = now(),
             expires_at = now() + make_interval(secs => $7)
           WHERE tenant_id = $1 AND record_type = $2 AND id = $3 AND expires_at <= now()`,
          [tenantId, record.type, record.id, value, tags, record.createdAt, ttlSeconds],
        ),
      )
      if (rowCount === 0) {
        throw new RecordDuplicateError(`Record with id ${record.id} already exists`, {
          recordType: record.type,
          cause: error as Error,
        })
      }
    }
  }

  public async update(agentContext: AgentContext, record: T): Promise<void> {
    record.updatedAt = new Date()
    const tenantId = agentContext.contextCorrelationId
    const updated = await this.database.withTenant(tenantId, (session) => this.updateRow(session, tenantId, record))
    if (!updated) throw this.notFound(record.type, record.id)
  }

  public async delete(agentContext: AgentContext, record: T): Promise<void> {
    await this.deleteById(agentContext, record.constructor as BaseRecordConstructor<T>, record.id, record.type)
  }

  public async deleteById(
    agentContext: AgentContext,
    recordClass: BaseRecordConstructor<T>,
    id: string,
    recordType = recordClass.type,
  ): Promise<void> {
    const tenantId = agentContext.contextCorrelationId
    const { rowCount } = await this.database.withTenant(tenantId, (session) =>
      session.query(`DELETE FROM ${this.table} WHERE tenant_id = $1 AND record_type = $2 AND id = $3 AND ${LIVE}`, [
        tenantId,
        recordType,
        id,
      ]),
    )
    if (rowCount === 0) throw this.notFound(recordType, id)
  }

  /** Whether the tenant's partition holds any live row. */
  public async tenantHasRecords(tenantId: string): Promise<boolean> {
    const { rows } = await this.database.withTenant(tenantId, (session) =>
      session.query(`SELECT 1 FROM ${this.table} WHERE tenant_id = $1 AND ${LIVE} LIMIT 1`, [tenantId]),
    )
    return rows.length > 0
  }

  /** The record types a tenant has live rows of. */
  public async recordTypes(tenantId: string): Promise<string[]> {
    const { rows } = await this.database.withTenant(tenantId, (session) =>
      session.query<{ record_type: string }>(
        `SELECT DISTINCT record_type FROM ${this.table} WHERE tenant_id = $1 AND ${LIVE} ORDER BY record_type`,
        [tenantId],
      ),
    )
    return rows.map((row) => row.record_type)
  }

  /** Deletes every row of a tenant (all record types). Returns how many rows were deleted. */
  public async deleteTenant(tenantId: string): Promise<number> {
    const { rowCount } = await this.database.withTenant(tenantId, (session) =>
      session.query(`DELETE FROM ${this.table} WHERE tenant_id = $1`, [tenantId]),
    )
    return rowCount
  }

  public async getById(agentContext: AgentContext, recordClass: BaseRecordConstructor<T>, id: string): Promise<T> {
    const tenantId = agentContext.contextCorrelationId
    const { rows } = await this.database.withTenant(tenantId, (session) =>
      session.query<RecordRow>(
        `SELECT value, tags FROM ${this.table} WHERE tenant_id = $1 AND record_type = $2 AND id = $3 AND ${LIVE}`,
        [tenantId, recordClass.type, id],
      ),
    )
    const row = rows[0]
    if (!row) throw this.notFound(recordClass.type, id)
    return this.toRecord(row, recordClass)
  }

  public async updateByIdWithLock(
    agentContext: AgentContext,
    recordClass: BaseRecordConstructor<T>,
    id: string,
    updateCallback: (record: T) => Promise<T>,
  ): Promise<T> {
    const tenantId = agentContext.contextCorrelationId
    return this.database.withTenant(
      tenantId,
      async (session) => {
        const { rows } = await session.query<RecordRow>(
          `SELECT value, tags FROM ${this.table}
           WHERE tenant_id = $1 AND record_type = $2 AND id = $3 AND ${LIVE} FOR UPDATE`,
          [tenantId, recordClass.type, id],
        )
        const row = rows[0]
        if (!row) throw this.notFound(recordClass.type, id)
        const updated = await updateCallback(this.toRecord(row, recordClass))
        updated.updatedAt = new Date()
        await this.updateRow(session, tenantId, updated)
        return updated
      },
      { transaction: true },
    )
  }

  public async getAll(agentContext: AgentContext, recordClass: BaseRecordConstructor<T>): Promise<T[]> {
    return this.findByQuery(agentContext, recordClass, {})
  }

  public async findByQuery(
    agentContext: AgentContext,
    recordClass: BaseRecordConstructor<T>,
    query: Query<T>,
    queryOptions: QueryOptions = {},
  ): Promise<T[]> {
    const tenantId = agentContext.contextCorrelationId
    const params: unknown[] = [tenantId, recordClass.type]
    const condition = queryToSql(query, params)
    const { order, cursorCondition, reverse } = this.pagination(queryOptions, params)
    let sql = `SELECT value, tags FROM ${this.table}
      WHERE tenant_id = $1 AND record_type = $2 AND ${LIVE} AND ${condition}${cursorCondition}
      ORDER BY ${order}`
    if (queryOptions.limit !== undefined) {
      params.push(queryOptions.limit)
      sql += ` LIMIT $${params.length}`
    }
    if (queryOptions.offset !== undefined && !queryOptions.cursor) {
      params.push(queryOptions.offset)
      sql += ` OFFSET $${params.length}`
    }
    const { rows } = await this.database.withTenant(tenantId, (session) => session.query<RecordRow>(sql, params), {
      replicaRead: this.replicaReadTypes.has(recordClass.type),
    })
    const records = rows.map((row) => this.toRecord(row, recordClass))
    return reverse ? records.reverse() : records
  }

  /** Keyset pagination on (created_at, id); `before` reads backwards and is returned in order. */
  private pagination(queryOptions: QueryOptions, params: unknown[]) {
    const cursor = queryOptions.cursor
    const raw = cursor?.after ?? cursor?.before
    if (!cursor || raw === undefined) return { order: 'created_at, id', cursorCondition: '', reverse: false }
    const decoded = decodeCursor(raw)
    if (!decoded) throw new StorageQueryError('Invalid pagination cursor')
    params.push(decoded.createdAt, decoded.id)
    const at = `$${params.length - 1}, $${params.length}`
    if (cursor.after !== undefined) {
      return { order: 'created_at, id', cursorCondition: ` AND (created_at, id) > (${at})`, reverse: false }
    }
    return { order: 'created_at DESC, id DESC', cursorCondition: ` AND (created_at, id) < (${at})`, reverse: true }
  }

  private async updateRow(session: SqlSession, tenantId: string, record: T): Promise<boolean> {
    const { rowCount } = await session.query(
      `UPDATE ${this.table} SET value = $4::jsonb, tags = $5::jsonb, updated_at = now(),
         expires_at = now() + make_interval(secs => $6)
       WHERE tenant_id = $1 AND record_type = $2 AND id = $3 AND ${LIVE}`,
      [tenantId, record.type, record.id, ...this.rowValues(record), this.ttlSeconds.get(record.type) ?? null],
    )
    return rowCount > 0
  }

  /** The `value` and `tags` columns, as JSON text. */
  private rowValues(record: T): [string, string] {
    const value = JsonTransformer.toJSON(record)
    delete value._tags
    return [JSON.stringify(value), JSON.stringify(storedTags(record.getTags()))]
  }

  private toRecord(row: RecordRow, recordClass: BaseRecordConstructor<T>): T {
    // No class-validator pass on read: every stored value was written by this service from a
    // Credo record instance (JsonTransformer.toJSON). Re-validating each row on every read
    // cost about a third of getById's throughput.
    const record = JsonTransformer.fromJSON(row.value, recordClass, { validate: false })
    record.replaceTags(row.tags)
    return record
  }

  private notFound(recordType: string, id: string) {
    return new RecordNotFoundError(`record with id ${id} not found.`, { recordType })
  }
}
