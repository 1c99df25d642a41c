import type { Database, SqlSession } from './database/Database.js'
import { isUniqueViolation } from './database/mapDatabaseError.js'
import { schemaIdentifier } from './migrations/schemaIdentifier.js'

/**
 * Compact protocol-session rows (an offer and its issuance, a presentation request and its
 * outcome): plain JSON documents of one record type in the role's `records` table, written by
 * single SQL statements instead of Credo records. Each state change is one conditional UPDATE
 * (`from` the states it may leave), so it happens at most once whichever instance runs it.
 * Rows live in the tenant's partition behind the `tenant_records` wall and expire with
 * `expires_at` (the cleanup worker purges them).
 */
export class SessionStore<Value extends { state: string }> {
  private readonly table: string

  public constructor(
    private readonly database: Database,
    schema: string,
    /** The `record_type` of the rows, for example `IssuanceSession`. */
    public readonly recordType: string,
    /** The partition (`tenant_id` column) of a tenant: the agent context's correlation id. */
    private readonly partitionOf: (tenantId: string) => string = (tenantId) => tenantId,
  ) {
    this.table = `${schemaIdentifier(schema)}.tenant_records`
  }

  /** Inserts a session; false when a live row with that id exists already (a retried create). */
  public async insert(
    tenantId: string,
    id: string,
    value: Value,
    expiresAt: Date,
    tags: object = {},
  ): Promise<boolean> {
    const partition = this.partitionOf(tenantId)
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

  /** The live session, or null. */
  public async find(tenantId: string, id: string): Promise<Value | null> {
    const partition = this.partitionOf(tenantId)
    const { rows } = await this.database.withTenant(partition, (session) =>
      session.query<{ value: Value }>(
        `SELECT value FROM ${this.table}
         WHERE tenant_id = $1 AND record_type = $2 AND id = $3 AND (expires_at IS NULL OR expires_at > now())`,
        [partition, this.recordType, id],
      ),
    )
    return rows[0]?.value ?? null
  }

  /**
   * Merges `patch` into the session if it is live and in one of the `from` states (and, when
   * given, `match` holds: top-level fields equal to the given JSON values); answers the new value,
   * or null when the session is gone or another change came first.
   */
  public async transition(
    tenantId: string,
    id: string,
    from: string[],
    patch: Partial<Value>,
    match: Record<string, unknown> = {},
  ): Promise<Value | null> {
    return this.updateReturning(
      tenantId,
      `value = value || $4::jsonb`,
      `value->>'state' = ANY($5::text[]) AND value @> $6::jsonb`,
      [id, JSON.stringify(patch), from, JSON.stringify(match)],
    )
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
    tenantId: string,
    set: string,
    where: string,
    values: [id: string, ...rest: unknown[]],
    companion?: CompanionRow,
  ): Promise<Value | null> {
    const partition = this.partitionOf(tenantId)
    const update = `UPDATE ${this.table} SET ${set}, updated_at = now()
         WHERE tenant_id = $1 AND record_type = $2 AND id = $3 AND expires_at > now() AND ${where}
         RETURNING value`
    const parameters = [partition, this.recordType, ...values]
    let text = update
    if (companion) {
      const p = parameters.length
      parameters.push(companion.recordType, JSON.stringify(companion.value), JSON.stringify(companion.tags ?? {}))
      parameters.push(companion.expiresAt)
      text = `WITH updated AS (${update}), companion AS (
           INSERT INTO ${this.table} (tenant_id, record_type, id, value, tags, created_at, updated_at, expires_at)
           SELECT $1, $${p + 1}, $3, $${p + 2}::jsonb, $${p + 3}::jsonb, now(), now(), $${p + 4} FROM updated
           ON CONFLICT (tenant_id, record_type, id) DO UPDATE SET value = EXCLUDED.value, tags = EXCLUDED.tags,
             created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, expires_at = EXCLUDED.expires_at
         )
         SELECT value FROM updated`
    }
    const { rows } = await this.database.withTenant(partition, (session: SqlSession) =>
      session.query<{ value: Value }>(text, parameters),
    )
    return rows[0]?.value ?? null
  }
}

/** A row written together with a session's change ({@link SessionStore.updateReturning}). */
export interface CompanionRow {
  recordType: string
  value: object
  tags?: object
  expiresAt: Date
}
