import type { Database } from './database/Database.js'
import { schemaIdentifier } from './migrations/schemaIdentifier.js'

/**
 * Where a page ends: the creation time of its last row in whole microseconds since 1970 (a
 * decimal string: exact, unlike a JavaScript `Date`, which keeps milliseconds) and its id.
 */
export interface RecordPageCursor {
  createdAtMicros: string
  id: string
}

/** The microsecond count of a cursor: digits only, before the year 2286. */
export const CURSOR_MICROS_PATTERN = /^\d{1,16}$/

/** Adds a parameter to the statement and answers its placeholder (`$7`). */
export type SqlParameter = (value: unknown) => string

export interface RecordPageOptions {
  /** The `record_type` of the rows (`IssuanceSession`, `GenericRecord`, …). */
  recordType: string
  /** Rows whose tags contain these (jsonb containment, served by the tags index). */
  tags?: Record<string, string | boolean>
  /** Rows created at or after this instant. */
  createdFrom?: Date
  /** Rows created before this instant. */
  createdBefore?: Date
  /** Extra conditions on `value` (SQL, with parameters added through `parameter`). */
  where?: (parameter: SqlParameter) => string[]
  /** The page starts after this row. */
  after?: RecordPageCursor
  /** At most this many rows. */
  limit: number
  /**
   * Read on the primary even when a read replica is configured: for a caller that must see its
   * own latest writes. By default pages are lag-tolerant reads and go to the replica.
   */
  primary?: boolean
}

export interface RecordPageItem<Value> {
  id: string
  value: Value
  createdAt: Date
}

export interface RecordPageReturn<Value> {
  items: RecordPageItem<Value>[]
  /** Where the next page starts; absent on the last page. */
  next?: RecordPageCursor
}

/**
 * Pages of one tenant's live rows of one record type, in creation order then id: keyset
 * pagination on the `(tenant_id, record_type, created_at, id)` index, so a page costs one index
 * range scan whatever page it is, and rows added or removed meanwhile never shift another page
 * (nothing is skipped or repeated). Runs on the `tenant_records` view, bound to the tenant.
 * With a read replica, pages come from it (they may lag the primary by its replay lag).
 */
export class RecordPages {
  private readonly table: string

  public constructor(
    private readonly database: Database,
    schema: string,
  ) {
    this.table = `${schemaIdentifier(schema)}.tenant_records`
  }

  /** A page of the rows of `partition` (the agent context's correlation id). */
  public async page<Value>(partition: string, options: RecordPageOptions): Promise<RecordPageReturn<Value>> {
    const values: unknown[] = [partition, options.recordType]
    const parameter: SqlParameter = (value) => {
      values.push(value)
      return `$${values.length}`
    }
    const conditions = ['tenant_id = $1', 'record_type = $2', '(expires_at IS NULL OR expires_at > now())']
    if (options.tags && Object.keys(options.tags).length > 0) {
      conditions.push(`tags @> ${parameter(JSON.stringify(options.tags))}::jsonb`)
    }
    if (options.createdFrom) conditions.push(`created_at >= ${parameter(options.createdFrom)}`)
    if (options.createdBefore) conditions.push(`created_at < ${parameter(options.createdBefore)}`)
    if (options.after) {
      if (!CURSOR_MICROS_PATTERN.test(options.after.createdAtMicros)) throw new RangeError('Invalid page cursor')
      // Integer microseconds added to the epoch: exact, and a constant the index condition can use.
      const after = `timestamptz 'epoch' + ${parameter(options.after.createdAtMicros)}::bigint * interval '1 microsecond'`
      conditions.push(`(created_at, id) > (${after}, ${parameter(options.after.id)})`)
    }
    conditions.push(...(options.where?.(parameter) ?? []))
    const limit = parameter(options.limit + 1)
    const { rows } = await this.database.withTenant(
      partition,
      (session) =>
        session.query<{ id: string; value: Value; created_at: Date; created_micros: string }>(
          `SELECT id, value, created_at, (extract(epoch FROM created_at) * 1000000)::bigint::text AS created_micros
         FROM ${this.table}
         WHERE ${conditions.join(' AND ')}
         ORDER BY created_at, id
         LIMIT ${limit}`,
          values,
        ),
      { replicaRead: options.primary !== true },
    )
    const page = rows.slice(0, options.limit)
    const last = page[page.length - 1]
    return {
      items: page.map((row) => ({ id: row.id, value: row.value, createdAt: new Date(row.created_at) })),
      ...(rows.length > options.limit && last ? { next: { createdAtMicros: last.created_micros, id: last.id } } : {}),
    }
  }
}
