import { createHash } from 'node:crypto'
import pg from 'pg'
import type { Database, SqlResult, SqlSession, WithTenantOptions } from './Database.js'
import { TENANT_SETTING } from './Database.js'
import type { DatabaseObserver, DatabaseWorkKind, PoolUsage } from './DatabaseObserver.js'
import { inlineParameters, sqlLiteral } from './inlineParameters.js'
import { isUnavailableError, mapDatabaseError } from './mapDatabaseError.js'

export interface PostgresDatabaseOptions {
  /** `postgres://user@host:port/db`. The user should be the role's least-privileged app role. */
  connectionString: string
  /** Optional read replica for reads that tolerate replication lag. */
  replicaConnectionString?: string
  /** Pool size per instance (default 10). */
  maxConnections?: number
  /** Server-side statement timeout (default 5,000 ms). */
  statementTimeoutMillis?: number
  /** How long to wait for a free or new connection (default 5,000 ms). */
  connectionTimeoutMillis?: number
  /** Idle connections are closed after this long (default 30,000 ms). */
  idleTimeoutMillis?: number
  /** Shown in pg_stat_activity (default `attesto`). */
  applicationName?: string
  /**
   * Use named server-side prepared statements (default true). Turn off behind a connection
   * pooler in transaction mode that does not support them (PgBouncer before 1.21).
   */
  preparedStatements?: boolean
  /** Told the duration of every unit of work (metrics); none by default. */
  observer?: DatabaseObserver
}

const statementNames = new Map<string, string>()

/**
 * A stable name per statement text, for server-side prepared statements: each connection parses
 * and plans a statement once, then only binds and executes it. The statements are this
 * package's own, so the set of texts is bounded.
 */
function statementName(text: string): string {
  let name = statementNames.get(text)
  if (!name) {
    name = `attesto_${createHash('sha256').update(text).digest('base64url').slice(0, 22)}`
    statementNames.set(text, name)
  }
  return name
}

function sessionOf(client: pg.PoolClient, prepare: boolean): SqlSession {
  return {
    async query<Row>(text: string, values?: unknown[]): Promise<SqlResult<Row>> {
      const result = await client.query(
        prepare && values?.length ? { name: statementName(text), text, values } : { text, values },
      )
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 }
    },
    async exec(script: string): Promise<void> {
      await client.query(script)
    },
  }
}

/** `SET attesto.tenant_id = '…'`: a utility statement, cheaper for the server than `SELECT set_config`. */
function bindTenantSql(tenantId: string): string {
  return `SET ${TENANT_SETTING} = ${sqlLiteral(tenantId)}`
}

/**
 * PostgreSQL through a `pg` pool.
 *
 * The tenant binding is a session setting on the connection, tracked per connection:
 * - when a checked-out connection is already bound to the caller's tenant, statements go out
 *   as usual (extended protocol, parameters), at no extra cost;
 * - otherwise the first statement travels with `SET attesto.tenant_id` in one simple-protocol
 *   message (values inlined as escaped literals), so rebinding costs no extra round trip;
 * - every checkout re-asserts the binding before any statement runs, so a connection never
 *   serves one tenant with another's binding. A failed statement can roll the SET back, so after
 *   any error the connection's binding is forgotten and asserted afresh on next use.
 */
export class PostgresDatabase implements Database {
  public readonly engine = 'postgres' as const
  private readonly primary: pg.Pool
  private readonly replica?: pg.Pool
  private readonly boundTenant = new WeakMap<pg.PoolClient, string>()
  private readonly preparedStatements: boolean
  private readonly observer?: DatabaseObserver

  public constructor(options: PostgresDatabaseOptions) {
    this.preparedStatements = options.preparedStatements ?? true
    this.observer = options.observer
    this.primary = PostgresDatabase.createPool(options.connectionString, options)
    if (options.replicaConnectionString) {
      this.replica = PostgresDatabase.createPool(options.replicaConnectionString, options)
    }
  }

  private static createPool(connectionString: string, options: PostgresDatabaseOptions): pg.Pool {
    const pool = new pg.Pool({
      connectionString,
      max: options.maxConnections ?? 10,
      statement_timeout: options.statementTimeoutMillis ?? 5_000,
      // Half the statement timeout: when an instance dies inside a transaction, PostgreSQL ends
      // its session (and releases its row locks) this long after its last statement, so a
      // statement of another instance waiting on those locks still ends within its own timeout.
      // Our transactions never wait on anything but their own statements.
      idle_in_transaction_session_timeout: Math.ceil((options.statementTimeoutMillis ?? 5_000) / 2),
      connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
      idleTimeoutMillis: options.idleTimeoutMillis ?? 30_000,
      application_name: options.applicationName ?? 'attesto',
      keepAlive: true,
    })
    // A client that loses its connection emits 'error' (on the pool while idle, on the client
    // while checked out); without a listener that would crash the process. The statement in
    // flight fails instead, and the broken client is destroyed on release.
    pool.on('error', () => {})
    pool.on('connect', (client) => client.on('error', () => {}))
    return pool
  }

  /** The pools' current use (connections open, idle, callers waiting), read at scrape time. */
  public poolUsage(): PoolUsage[] {
    const usage = (name: PoolUsage['pool'], pool: pg.Pool): PoolUsage => ({
      pool: name,
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: pool.options.max ?? 10,
    })
    return this.replica
      ? [usage('primary', this.primary), usage('replica', this.replica)]
      : [usage('primary', this.primary)]
  }

  public withTenant<T>(
    tenantId: string,
    callback: (session: SqlSession) => Promise<T>,
    options: WithTenantOptions = {},
  ): Promise<T> {
    return this.observed('tenant', () => this.runWithTenant(tenantId, callback, options))
  }

  public withAdminTransaction<T>(callback: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.observed('admin', () => this.runAdminTransaction(callback))
  }

  public query<Row>(text: string, values?: unknown[]): Promise<SqlResult<Row>> {
    return this.observed('query', () => this.runQuery<Row>(text, values))
  }

  /** `work`, its duration told to the observer (when there is one). */
  private observed<T>(kind: DatabaseWorkKind, work: () => Promise<T>): Promise<T> {
    const observer = this.observer
    if (!observer) return work()
    const started = performance.now()
    return work().then(
      (result) => {
        observer.onWork(kind, performance.now() - started, false)
        return result
      },
      (error: unknown) => {
        observer.onWork(kind, performance.now() - started, true)
        throw error
      },
    )
  }

  private async runWithTenant<T>(
    tenantId: string,
    callback: (session: SqlSession) => Promise<T>,
    options: WithTenantOptions,
  ): Promise<T> {
    const pool = options.replicaRead && this.replica ? this.replica : this.primary
    const client = await pool.connect().catch((error: unknown) => {
      throw mapDatabaseError(error)
    })
    try {
      const result = options.transaction
        ? await this.inTenantTransaction(client, tenantId, callback)
        : await callback(this.tenantSessionOf(client, tenantId))
      client.release()
      return result
    } catch (error) {
      this.boundTenant.delete(client)
      // A broken connection is destroyed instead of going back to the pool.
      client.release(isUnavailableError(error) ? (error as Error) : undefined)
      throw mapDatabaseError(error)
    }
  }

  private async runAdminTransaction<T>(callback: (session: SqlSession) => Promise<T>): Promise<T> {
    const client = await this.primary.connect().catch((error: unknown) => {
      throw mapDatabaseError(error)
    })
    try {
      const result = await PostgresDatabase.inTransaction(client, callback, false)
      client.release()
      return result
    } catch (error) {
      client.release(isUnavailableError(error) ? (error as Error) : undefined)
      throw mapDatabaseError(error)
    }
  }

  private async runQuery<Row>(text: string, values?: unknown[]): Promise<SqlResult<Row>> {
    try {
      const result = await this.primary.query(text, values)
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 }
    } catch (error) {
      throw mapDatabaseError(error)
    }
  }

  public async close(): Promise<void> {
    await Promise.all([this.primary.end(), this.replica?.end()])
  }

  /** A session that binds the connection to the tenant with its first statement, if needed. */
  private tenantSessionOf(client: pg.PoolClient, tenantId: string): SqlSession {
    const plain = sessionOf(client, this.preparedStatements)
    if (this.boundTenant.get(client) === tenantId) return plain
    let bound = false
    const markBound = () => {
      bound = true
      this.boundTenant.set(client, tenantId)
    }
    return {
      query: async <Row>(text: string, values?: unknown[]): Promise<SqlResult<Row>> => {
        if (bound) return plain.query<Row>(text, values)
        const message = `${bindTenantSql(tenantId)};\n${inlineParameters(text, values)}`
        const results = (await client.query(message)) as unknown as pg.QueryResult[]
        markBound()
        const result = results[results.length - 1] as pg.QueryResult
        return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 }
      },
      exec: async (script: string): Promise<void> => {
        if (!bound) await client.query(bindTenantSql(tenantId))
        markBound()
        await client.query(script)
      },
    }
  }

  private async inTenantTransaction<T>(
    client: pg.PoolClient,
    tenantId: string,
    callback: (session: SqlSession) => Promise<T>,
  ): Promise<T> {
    const bind = this.boundTenant.get(client) === tenantId ? '' : `; ${bindTenantSql(tenantId)}`
    const result = await PostgresDatabase.inTransaction(client, callback, this.preparedStatements, `BEGIN${bind}`)
    this.boundTenant.set(client, tenantId)
    return result
  }

  private static async inTransaction<T>(
    client: pg.PoolClient,
    callback: (session: SqlSession) => Promise<T>,
    prepare: boolean,
    begin = 'BEGIN',
  ): Promise<T> {
    await client.query(begin)
    try {
      const result = await callback(sessionOf(client, prepare))
      await client.query('COMMIT')
      return result
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      throw error
    }
  }
}
