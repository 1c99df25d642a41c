import pg from 'pg'
import type { Database, SqlResult, SqlSession, WithTenantOptions } from './Database.js'
import { TENANT_SETTING } from './Database.js'
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
}

function sessionOf(client: pg.PoolClient): SqlSession {
  return {
    async query<Row>(text: string, values?: unknown[]): Promise<SqlResult<Row>> {
      const result = await client.query(text, values)
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 }
    },
    async exec(script: string): Promise<void> {
      await client.query(script)
    },
  }
}

/**
 * PostgreSQL through a `pg` pool.
 *
 * The tenant is bound per connection with a session-level `set_config`, issued outside any
 * transaction and only when the connection was last bound to another tenant, so a request for
 * the same tenant costs no extra round trip. Every checkout re-asserts the binding, so a
 * connection never serves a tenant with another tenant's setting. After any error the binding
 * is forgotten and asserted again on the next use.
 */
export class PostgresDatabase implements Database {
  public readonly engine = 'postgres' as const
  private readonly primary: pg.Pool
  private readonly replica?: pg.Pool
  private readonly boundTenant = new WeakMap<pg.PoolClient, string>()

  public constructor(options: PostgresDatabaseOptions) {
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
      idle_in_transaction_session_timeout: (options.statementTimeoutMillis ?? 5_000) * 2,
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

  public async withTenant<T>(
    tenantId: string,
    callback: (session: SqlSession) => Promise<T>,
    options: WithTenantOptions = {},
  ): Promise<T> {
    const pool = options.replicaRead && this.replica ? this.replica : this.primary
    const client = await pool.connect().catch((error: unknown) => {
      throw mapDatabaseError(error)
    })
    try {
      if (this.boundTenant.get(client) !== tenantId) {
        await client.query('SELECT set_config($1, $2, false)', [TENANT_SETTING, tenantId])
        this.boundTenant.set(client, tenantId)
      }
      const result = options.transaction
        ? await PostgresDatabase.inTransaction(client, callback)
        : await callback(sessionOf(client))
      client.release()
      return result
    } catch (error) {
      this.boundTenant.delete(client)
      // A broken connection is destroyed instead of going back to the pool.
      client.release(isUnavailableError(error) ? (error as Error) : undefined)
      throw mapDatabaseError(error)
    }
  }

  public async withAdminTransaction<T>(callback: (session: SqlSession) => Promise<T>): Promise<T> {
    const client = await this.primary.connect().catch((error: unknown) => {
      throw mapDatabaseError(error)
    })
    try {
      const result = await PostgresDatabase.inTransaction(client, callback)
      client.release()
      return result
    } catch (error) {
      this.boundTenant.delete(client)
      client.release(isUnavailableError(error) ? (error as Error) : undefined)
      throw mapDatabaseError(error)
    }
  }

  public async query<Row>(text: string, values?: unknown[]): Promise<SqlResult<Row>> {
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

  private static async inTransaction<T>(client: pg.PoolClient, callback: (session: SqlSession) => Promise<T>) {
    await client.query('BEGIN')
    try {
      const result = await callback(sessionOf(client))
      await client.query('COMMIT')
      return result
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      throw error
    }
  }
}
