import type { Database, SqlSession } from './database/Database.js'
import { isUniqueViolation } from './database/mapDatabaseError.js'
import { schemaIdentifier } from './migrations/schemaIdentifier.js'
import { type RecordPageOptions, type RecordPageReturn, RecordPages } from './RecordPages.js'
import { type RelatedRows, relatedRowsSql } from './relatedRows.js'
import { SESSION_NOT_EXPIRED } from './sessionExpiry.js'
import {
  type CompanionRow,
  type CounterBump,
  insertRows,
  type SessionRowInput,
  withCompanion,
  withCounter,
} from './sessionStatements.js'

/**
 * Compact protocol-session rows (an offer and its issuance, a presentation request and its
 * outcome): plain JSON documents of one record type in the role's `records` table, written by
 * single SQL statements instead of Credo records. Each state change is one conditional UPDATE
 * (`from` the states it may leave), so it happens at most once whichever instance runs it.
 * Rows live in the tenant's partition behind the `tenant_records` wall and expire with
 * `expires_at` (the cleanup worker purges them). A session's own `expiresAt` (when its protocol
 * step ends) is in epoch milliseconds (`sessionExpiry.ts`).
 *
 * Role code reaches these rows only through this class (and {@link RecordPages} for pages): a
 * subclass per session kind adds its statements, each still one statement; `readValue` upgrades
 * rows written by earlier versions as they are read.
 */
export class SessionStore<Value extends { state: string }> {
  private readonly table: string
  private readonly pages: RecordPages

  public constructor(
    private readonly database: Database,
    schema: string,
    /** The `record_type` of the rows, for example `IssuanceSession`. */
    public readonly recordType: string,
    /**
     * The partition (the `tenant_id` column: the agent context's correlation id, `tenant-<id>`)
     * of the `tenant` the methods take. The issuer's stores take tenant ids and map them with
     * agent-runtime's `contextCorrelationIdOf`; by default (the verifier's store, whose routes
     * hold the context) `tenant` is the correlation id itself.
     */
    private readonly partitionOf: (tenant: string) => string = (tenant) => tenant,
  ) {
    this.table = `${schemaIdentifier(schema)}.tenant_records`
    this.pages = new RecordPages(database, schema)
  }

  /** A stored value as the current version reads it; subclasses upgrade older shapes here. */
  protected readValue(stored: Value): Value {
    return stored
  }

  /** Inserts a session; false when a live row with that id exists already (a retried create). */
  public async insert(tenant: string, id: string, value: Value, expiresAt: Date, tags: object = {}): Promise<boolean> {
    const partition = this.partitionOf(tenant)
    const values = [partition, this.recordType, id, JSON.stringify(value), JSON.stringify(tags), expiresAt]
    try {
      await this.database.withTenant(partition, (session) =>
        session.query(
          `INSERT INTO ${this.table} (tenant_id, record_type, id, value, tags, created_at, updated_at, expires_at)
           VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, now(), now(), $6)`,
          values,
        ),
      )
      return true
    } catch (error) {
      if (!isUniqueViolation(error)) throw error
      // The id is taken: an expired row (invisible already) gives way, a live one stands.
      const { rowCount } = await this.database.withTenant(partition, (session) =>
        session.query(
          `UPDATE ${this.table} SET value = $4::jsonb, tags = $5::jsonb, created_at = now(), updated_at = now(),
             expires_at = $6
           WHERE tenant_id = $1 AND record_type = $2 AND id = $3 AND expires_at <= now()`,
          values,
        ),
      )
      return rowCount === 1
    }
  }

  /**
   * Inserts rows that belong together (of this or other record types, in one partition) in one
   * statement, all kept until `expiresAt`; false, inserting none, when one of their ids is taken.
   */
  public async insertAll(tenant: string, rows: SessionRowInput[], expiresAt: Date): Promise<boolean> {
    const partition = this.partitionOf(tenant)
    const values: unknown[] = [partition, expiresAt]
    const text = insertRows(this.table, rows, values)
    try {
      await this.database.withTenant(partition, (session) => session.query(text, values))
      return true
    } catch (error) {
      if (!isUniqueViolation(error)) throw error
      return false
    }
  }

  /** Every live session of the tenant whose tags contain `tags` (the tags index), in no order. */
  public async findAll(tenant: string, tags: Record<string, string>): Promise<{ id: string; value: Value }[]> {
    const partition = this.partitionOf(tenant)
    const { rows } = await this.database.withTenant(partition, (session) =>
      session.query<{ id: string; value: Value }>(
        `SELECT id, value FROM ${this.table}
         WHERE tenant_id = $1 AND record_type = $2 AND tags @> $3::jsonb AND (expires_at IS NULL OR expires_at > now())`,
        [partition, this.recordType, JSON.stringify(tags)],
      ),
    )
    return rows.map((row) => ({ id: row.id, value: this.readValue(row.value) }))
  }

  /**
   * The largest (`max`) or the total (`sum`) of the numeric top-level `field` over the tenant's
   * live sessions with one of `ids` or whose tags contain `tags`; null when none has it.
   */
  public async aggregate(
    tenant: string,
    fn: 'max' | 'sum',
    field: string,
    of: { ids?: string[]; tags?: Record<string, string> },
  ): Promise<number | null> {
    const partition = this.partitionOf(tenant)
    const values: unknown[] = [partition, this.recordType, field]
    const conditions = ['tenant_id = $1', 'record_type = $2', '(expires_at IS NULL OR expires_at > now())']
    if (of.ids) conditions.push(`id = ANY($${values.push(of.ids)}::text[])`)
    if (of.tags) conditions.push(`tags @> $${values.push(JSON.stringify(of.tags))}::jsonb`)
    const { rows } = await this.database.withTenant(partition, (session) =>
      session.query<{ result: string | number | null }>(
        `SELECT ${fn === 'max' ? 'max' : 'sum'}((value->>$3::text)::numeric) AS result FROM ${this.table}
         WHERE ${conditions.join(' AND ')}`,
        values,
      ),
    )
    const result = rows[0]?.result
    return result === null || result === undefined ? null : Number(result)
  }

  /** The live session, or null. */
  public async find(tenant: string, id: string): Promise<Value | null> {
    const partition = this.partitionOf(tenant)
    const { rows } = await this.database.withTenant(partition, (session) =>
      session.query<{ value: Value }>(
        `SELECT value FROM ${this.table}
         WHERE tenant_id = $1 AND record_type = $2 AND id = $3 AND (expires_at IS NULL OR expires_at > now())`,
        [partition, this.recordType, id],
      ),
    )
    const row = rows[0]
    return row ? this.readValue(row.value) : null
  }

  /**
   * The live session and, in the same statement, rows of other record types in its partition
   * (one array per entry of `related`, null when none matched); null when the session is gone.
   */
  public async findWith(
    tenant: string,
    id: string,
    related: RelatedRows[],
  ): Promise<{ value: Value; related: (unknown[] | null)[] } | null> {
    const partition = this.partitionOf(tenant)
    const values: unknown[] = [partition, this.recordType, id]
    const columns = relatedRowsSql(this.table, related, values)
    const { rows } = await this.database.withTenant(partition, (session) =>
      session.query<Record<string, unknown> & { value: Value }>(
        `SELECT value${columns.map((column, index) => `, ${column} AS related_${index}`).join('')}
         FROM ${this.table}
         WHERE tenant_id = $1 AND record_type = $2 AND id = $3 AND (expires_at IS NULL OR expires_at > now())`,
        values,
      ),
    )
    const row = rows[0]
    if (!row) return null
    return {
      value: this.readValue(row.value),
      related: related.map((_, index) => (row[`related_${index}`] as unknown[] | null) ?? null),
    }
  }

  /** A page of the tenant's live sessions (keyset pagination: {@link RecordPages}). */
  public async page(tenant: string, options: Omit<RecordPageOptions, 'recordType'>): Promise<RecordPageReturn<Value>> {
    const page = await this.pages.page<Value>(this.partitionOf(tenant), { ...options, recordType: this.recordType })
    return { ...page, items: page.items.map((item) => ({ ...item, value: this.readValue(item.value) })) }
  }

  /**
   * Merges `patch` into the session if it is live and in one of the `from` states (and, when
   * given, `match` holds: top-level fields equal to the given JSON values; with `notExpired`, its
   * `expiresAt` is still ahead); answers the new value, or null when the session is gone or another
   * change came first.
   */
  public async transition(
    tenant: string,
    id: string,
    from: string[],
    patch: Partial<Value>,
    match: Record<string, unknown> = {},
    options: { notExpired?: boolean } = {},
  ): Promise<Value | null> {
    return this.updateReturning(
      tenant,
      `value = value || $4::jsonb`,
      `value->>'state' = ANY($5::text[]) AND value @> $6::jsonb${options.notExpired ? ` AND ${SESSION_NOT_EXPIRED}` : ''}`,
      [id, JSON.stringify(patch), from, JSON.stringify(match)],
    )
  }

  /**
   * Merges `patch` into every live session of the tenant that `selection` picks, in one
   * conditional UPDATE (each row changes at most once, whichever instance runs it); answers how
   * many changed. `tags` go through the tags index.
   */
  public async transitionAll(tenant: string, selection: SessionSelection, patch: Partial<Value>): Promise<number> {
    const partition = this.partitionOf(tenant)
    const { rowCount } = await this.database.withTenant(partition, (session) =>
      session.query(
        `UPDATE ${this.table} SET value = value || $3::jsonb, updated_at = now()
         WHERE tenant_id = $1 AND record_type = $2 AND expires_at > now()
           AND value->>'state' = ANY($4::text[]) AND value @> $5::jsonb AND tags @> $6::jsonb${
             selection.notExpired ? ` AND ${SESSION_NOT_EXPIRED}` : ''
           }`,
        [
          partition,
          this.recordType,
          JSON.stringify(patch),
          selection.from,
          JSON.stringify(selection.match ?? {}),
          JSON.stringify(selection.tags ?? {}),
        ],
      ),
    )
    return rowCount
  }

  /**
   * One conditional UPDATE with the caller's SET and WHERE clauses (parameters from `$4` on; `$1`
   * is the tenant, `$2` the record type, `$3` the id); answers the new value or null.
   *
   * With `companion`, the same statement also writes a row of another record type with the same
   * id in the same partition, only when the update happened (replacing one left there), so both
   * or neither are committed.
   */
  public async updateReturning(
    tenant: string,
    set: string,
    where: string,
    values: [id: string, ...rest: unknown[]],
    companion?: CompanionRow,
  ): Promise<Value | null> {
    const partition = this.partitionOf(tenant)
    const update = this.conditionalUpdate(set, where)
    const parameters = [partition, this.recordType, ...values]
    const text = companion ? withCompanion(this.table, update, parameters, companion) : update
    const { rows } = await this.database.withTenant(partition, (session: SqlSession) =>
      session.query<{ value: Value }>(text, parameters),
    )
    const row = rows[0]
    return row ? this.readValue(row.value) : null
  }

  /**
   * One conditional UPDATE as {@link updateReturning} that also answers the session as it was
   * (`before`, null when there is none) and, only when the update happened, adds one to a counter
   * in another row of the partition (`after` is null when nothing changed): one statement.
   */
  public async updateCounting(
    tenant: string,
    set: string,
    where: string,
    values: [id: string, ...rest: unknown[]],
    counter: CounterBump,
  ): Promise<{ before: Value | null; after: Value | null }> {
    const partition = this.partitionOf(tenant)
    const parameters = [partition, this.recordType, ...values]
    const update = this.conditionalUpdate(set, where)
    const { rows } = await this.database.withTenant(partition, (session) =>
      session.query<{ before: Value; after: Value | null }>(
        withCounter(this.table, update, parameters, counter),
        parameters,
      ),
    )
    const row = rows[0]
    return {
      before: row ? this.readValue(row.before) : null,
      after: row?.after ? this.readValue(row.after) : null,
    }
  }

  /** The UPDATE of one live session (`$1` partition, `$2` record type, `$3` id) with the caller's SET and WHERE. */
  private conditionalUpdate(set: string, where: string): string {
    return `UPDATE ${this.table} SET ${set}, updated_at = now()
         WHERE tenant_id = $1 AND record_type = $2 AND id = $3 AND expires_at > now() AND ${where}
         RETURNING value`
  }
}

/** Which sessions {@link SessionStore.transitionAll} changes. */
export interface SessionSelection {
  /** The states they may leave. */
  from: string[]
  /** Top-level value fields equal to these JSON values. */
  match?: Record<string, unknown>
  /** Rows whose tags contain these (the tags index). */
  tags?: Record<string, string>
  /** Only sessions whose `expiresAt` is still ahead. */
  notExpired?: boolean
}
