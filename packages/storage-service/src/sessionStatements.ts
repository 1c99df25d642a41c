/**
 * Statements of {@link SessionStore} too long to sit in its methods. `withCompanion` and
 * `withCounter` wrap its conditional UPDATE (`update`: a statement with `RETURNING value` on the
 * row `$1` partition, `$2` record type, `$3` id) in a CTE; `parameters` holds the update's, and
 * they append theirs.
 */

/** A row written together with a session's change ({@link SessionStore.updateReturning}). */
export interface CompanionRow {
  recordType: string
  value: object
  tags?: object
  expiresAt: Date
}

/** A counter bumped together with a session's change ({@link SessionStore.updateCounting}). */
export interface CounterBump {
  /** The record type of the row that holds the counter. */
  recordType: string
  /** The numeric top-level field of its value that goes up by one. */
  field: string
  /**
   * SQL giving the counter row's id from the changed session (`changed.value`); it may read other
   * rows of the partition from `table` (the `tenant_records` view) with the session's parameters.
   */
  idOf: (table: string) => string
}

/** The update, and the companion row inserted (or replaced) only when it happened. */
export function withCompanion(table: string, update: string, parameters: unknown[], companion: CompanionRow): string {
  const p = parameters.length
  parameters.push(companion.recordType, JSON.stringify(companion.value), JSON.stringify(companion.tags ?? {}))
  parameters.push(companion.expiresAt)
  return `WITH updated AS (${update}), companion AS (
       INSERT INTO ${table} (tenant_id, record_type, id, value, tags, created_at, updated_at, expires_at)
       SELECT $1, $${p + 1}, $3, $${p + 2}::jsonb, $${p + 3}::jsonb, now(), now(), $${p + 4} FROM updated
       ON CONFLICT (tenant_id, record_type, id) DO UPDATE SET value = EXCLUDED.value, tags = EXCLUDED.tags,
         created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, expires_at = EXCLUDED.expires_at
     )
     SELECT value FROM updated`
}

/**
 * The session as it was (locked first, so the answer is what the update saw), the update, and the
 * counter bumped only when it happened: `before` and `after` (null when nothing changed).
 */
export function withCounter(table: string, update: string, parameters: unknown[], counter: CounterBump): string {
  const p = parameters.length
  parameters.push(counter.recordType, counter.field)
  return `WITH old AS (
       SELECT value FROM ${table}
       WHERE tenant_id = $1 AND record_type = $2 AND id = $3 AND expires_at > now() FOR UPDATE
     ), changed AS (${update}), bumped AS (
       UPDATE ${table} SET value = value || jsonb_build_object($${p + 2}::text,
           coalesce((value->>$${p + 2}::text)::bigint, 0) + 1),
         updated_at = now()
       WHERE tenant_id = $1 AND record_type = $${p + 1} AND id = (${counter.idOf(table)})
       RETURNING 1
     )
     SELECT old.value AS before, changed.value AS after FROM old LEFT JOIN changed ON true`
}

/** A row of {@link SessionStore.insertAll}. */
export interface SessionRowInput {
  recordType: string
  id: string
  value: object
  tags?: object
}

/** One INSERT of `rows` into the partition `$1`, kept until `$2`; their parameters appended to `values`. */
export function insertRows(table: string, rows: SessionRowInput[], values: unknown[]): string {
  const tuples = rows.map((row) => {
    values.push(row.recordType, row.id, JSON.stringify(row.value), JSON.stringify(row.tags ?? {}))
    const p = values.length - 3
    return `($1, $${p}, $${p + 1}, $${p + 2}::jsonb, $${p + 3}::jsonb, now(), now(), $2)`
  })
  return `INSERT INTO ${table} (tenant_id, record_type, id, value, tags, created_at, updated_at, expires_at)
       VALUES ${tuples.join(', ')}`
}
