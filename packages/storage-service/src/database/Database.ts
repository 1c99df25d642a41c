/** The result of one SQL statement. */
export interface SqlResult<Row> {
  rows: Row[]
  rowCount: number
}

/** Runs SQL statements on one connection (or one PGlite session). */
export interface SqlSession {
  query<Row = Record<string, unknown>>(text: string, values?: unknown[]): Promise<SqlResult<Row>>
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>
}

export interface WithTenantOptions {
  /** Run inside BEGIN … COMMIT (rolled back if the callback throws). */
  transaction?: boolean
  /** The statements only read, and tolerate replication lag: they may go to a read replica. */
  replicaRead?: boolean
}

/**
 * The SQL engine under the storage service: PostgreSQL through `pg` or embedded PGlite.
 *
 * Every tenant-scoped statement runs through {@link Database.withTenant}, which binds the
 * session to the tenant (`attesto.tenant_id`) that the row-level security policy checks.
 */
export interface Database {
  /** `postgres` or `pglite`: the engine, for logs and for the few behaviours that differ. */
  readonly engine: 'postgres' | 'pglite'

  /** Runs `callback` on a session bound to `tenantId`. */
  withTenant<T>(
    tenantId: string,
    callback: (session: SqlSession) => Promise<T>,
    options?: WithTenantOptions,
  ): Promise<T>

  /** Runs `callback` in one transaction that is not bound to any tenant (migrations, maintenance). */
  withAdminTransaction<T>(callback: (session: SqlSession) => Promise<T>): Promise<T>

  /** Runs one statement that is not bound to any tenant. */
  query<Row = Record<string, unknown>>(text: string, values?: unknown[]): Promise<SqlResult<Row>>

  close(): Promise<void>
}

/** The session setting that the row-level security policy compares `tenant_id` with. */
export const TENANT_SETTING = 'attesto.tenant_id'
