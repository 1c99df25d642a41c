import pg from 'pg'
import { StorageUnavailableError } from '../StorageServiceError.js'
import type { Database, SqlResult, SqlSession, WithTenantOptions } from './Database.js'
import { TENANT_SETTING } from './Database.js'
import type { DatabaseObserver, DatabaseWorkKind, PoolUsage } from './DatabaseObserver.js'
import { inlineParameters, sqlLiteral } from './inlineParameters.js'
import { isUnavailableError, mapDatabaseError } from './mapDatabaseError.js'
import { bindTenantSql, pooledSessionOf, sessionOf } from './pgSessions.js'
import { ReplicaRouter } from './ReplicaRouter.js'

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
  /**
   * The URLs lead to a pooler in transaction mode (PgBouncer `pool_mode = transaction`): no state
   * may outlive a transaction. Every unit of work binds its tenant and statement timeout with
   * `SET LOCAL` inside its own transaction, and no statement is prepared (default false).
   */
  transactionPooling?: boolean
  /** After the read replica fails, how long lag-tolerant reads stay on the primary (default 5,000 ms). */
  replicaRetryMillis?: number
  /** Told the duration of every unit of work (metrics); none by default. */
  observer?: DatabaseObserver
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
  private readonly replicaRouter: ReplicaRouter
  /** Behind a transaction-mode pooler: the `SET LOCAL`s that start every unit of work; else undefined. */
  private readonly localSettings?: (tenantId?: string) => string

  public constructor(options: PostgresDatabaseOptions) {
    this.preparedStatements = (options.preparedStatements ?? true) && !options.transactionPooling
    this.observer = options.observer
    this.primary = PostgresDatabase.createPool(options.connectionString, options)
    if (options.replicaConnectionString) {
      this.replica = PostgresDatabase.createPool(options.replicaConnectionString, options, ':replica')
    }
    this.replicaRouter = new ReplicaRouter(options.replicaRetryMillis ?? 5_000, options.observer)
    if (options.transactionPooling) {
      const timeouts = PostgresDatabase.timeouts(options)
      const settings = `SET LOCAL statement_timeout = ${timeouts.statement_timeout}; SET LOCAL idle_in_transaction_session_timeout = ${timeouts.idle_in_transaction_session_timeout}`
      this.localSettings = (tenantId) =>
        tenantId === undefined ? settings : `${settings}; SET LOCAL ${TENANT_SETTING} = ${sqlLiteral(tenantId)}`
    }
  }

  private static timeouts(options: PostgresDatabaseOptions) {
    const statementTimeout = options.statementTimeoutMillis ?? 5_000
    return {
      statement_timeout: statementTimeout,
      // Half the statement timeout: when an instance dies inside a transaction, PostgreSQL ends
      // its session (and releases its row locks) this long after its last statement, so a
      // statement of another instance waiting on those locks still ends within its own timeout.
      // Our transactions never wait on anything but their own statements.
      idle_in_transaction_session_timeout: Math.ceil(statementTimeout / 2),
    }
  }

  private static createPool(connectionString: string, options: PostgresDatabaseOptions, nameSuffix = ''): pg.Pool {
    const pool = new pg.Pool({
      connectionString,
      max: options.maxConnections ?? 10,
      // Behind a transaction-mode pooler, startup parameters would stick to whichever server
      // connection the pooler hands out (PgBouncer refuses unknown ones): SET LOCAL instead.
      ...(options.transactionPooling ? {} : PostgresDatabase.timeouts(options)),
      connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
      idleTimeoutMillis: options.idleTimeoutMillis ?? 30_000,
      // `attesto:replica` on the replica's side, so pg_stat_activity tells the two apart.
      application_name: `${options.applicationName ?? 'attesto'}${nameSuffix}`,
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
    if (!options.replicaRead || !this.replica || options.transaction || !this.replicaRouter.useReplica()) {
      return this.runOn(this.primary, tenantId, callback, options)
    }
    try {
      const result = await this.runOn(this.replica, tenantId, callback, options)
      this.replicaRouter.succeeded()
      return result
    } catch (error) {
      if (!(error instanceof StorageUnavailableError)) throw error
      // The read only reads: the primary serves it, and the next ones until the replica is retried.
      this.replicaRouter.failed(error)
      return this.runOn(this.primary, tenantId, callback, options)
    }
  }

  private async runOn<T>(
    pool: pg.Pool,
    tenantId: string,
    callback: (session: SqlSession) => Promise<T>,
    options: WithTenantOptions,
  ): Promise<T> {
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
      const begin = this.localSettings ? `BEGIN; ${this.localSettings()}` : 'BEGIN'
      const result = await PostgresDatabase.inTransaction(client, callback, false, begin)
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
    if (this.localSettings) return pooledSessionOf(client, this.localSettings(tenantId))
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
    if (this.localSettings) {
      return PostgresDatabase.inTransaction(client, callback, false, `BEGIN; ${this.localSettings(tenantId)}`)
    }
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
