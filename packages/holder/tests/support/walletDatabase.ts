import { randomBytes } from 'node:crypto'
import { PostgresDatabase } from '@attesto/storage-service'

/** The real PostgreSQL the tests run against (trust auth on 127.0.0.1 in development and CI). */
export const DATABASE_URL = process.env.ATTESTO_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export interface RawRow {
  record_type: string
  id: string
  value: string
  tags: string
}

/** A fresh wallet schema on PostgreSQL and a connection that reads its rows as they are stored. */
export function walletDatabase() {
  const schema = `w_${randomBytes(6).toString('hex')}`
  const admin = new PostgresDatabase({ connectionString: DATABASE_URL, maxConnections: 2 })
  return {
    schema,
    admin,
    async rows(walletId: string): Promise<RawRow[]> {
      const { rows } = await admin.query<RawRow>(
        `SELECT record_type, id, value::text AS value, tags::text AS tags FROM ${schema}.records WHERE tenant_id = $1`,
        [walletId],
      )
      return rows
    },
    async dispose() {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined)
      await admin.close()
    },
  }
}
