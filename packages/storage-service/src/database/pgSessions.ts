import { createHash } from 'node:crypto'
import type pg from 'pg'
import type { SqlResult, SqlSession } from './Database.js'
import { TENANT_SETTING } from './Database.js'
import { inlineParameters, sqlLiteral } from './inlineParameters.js'

// The statement sessions of PostgresDatabase on one checked-out `pg` connection.

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

export function sessionOf(client: pg.PoolClient, prepare: boolean): SqlSession {
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
export function bindTenantSql(tenantId: string): string {
  return `SET ${TENANT_SETTING} = ${sqlLiteral(tenantId)}`
}

/**
 * Behind a transaction-mode pooler: each statement travels with the `SET LOCAL`s in one
 * simple-protocol message, which PostgreSQL runs as one implicit transaction, so the pooler
 * keeps it on one server connection and nothing is left behind on that connection.
 */
export function pooledSessionOf(client: pg.PoolClient, settings: string): SqlSession {
  return {
    async query<Row>(text: string, values?: unknown[]): Promise<SqlResult<Row>> {
      const results = (await client.query(
        `${settings};\n${inlineParameters(text, values)}`,
      )) as unknown as pg.QueryResult[]
      const result = results[results.length - 1] as pg.QueryResult
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 }
    },
    async exec(script: string): Promise<void> {
      await client.query(`${settings};\n${script}`)
    },
  }
}
