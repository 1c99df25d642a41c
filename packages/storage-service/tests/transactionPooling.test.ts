import { PgBouncer, PostgresServer, pgBouncerInstalled, postgresServerInstalled } from '@attesto/test-servers'
import pg from 'pg'
import { PostgresDatabase } from '../src/database/PostgresDatabase.js'
import * as storageService from '../src/index.js'
import { SessionStore } from '../src/SessionStore.js'
import { urlWithUser } from './support/testStorage.js'

// PgBouncer in transaction mode hands each transaction whichever server connection is free, so
// nothing may be left on a connection between transactions. With one server connection shared by
// two clients of two tenants: the session-bound mode (SET once per connection, prepared
// statements) goes wrong behind the pooler; transaction-pooling mode (SET LOCAL in every
// transaction, no prepared statements) keeps each tenant behind its wall and leaves nothing behind.

const run = (postgresServerInstalled && pgBouncerInstalled) || process.env.CI === 'true' ? describe : describe.skip
const SCHEMA = 'pooling_test'
const APP = 'attesto_pooling_app'
const FAR = new Date(Date.now() + 3_600_000)

run('behind PgBouncer in transaction mode', () => {
  let primary: PostgresServer
  let bouncer: PgBouncer

  beforeAll(async () => {
    primary = await PostgresServer.migrated(storageService, [SCHEMA], APP)
    bouncer = await PgBouncer.start(primary.port, { poolSize: 1, users: [APP] })
  }, 60_000)

  afterAll(async () => {
    await bouncer?.stop()
    primary?.dispose()
  })

  /** What the next client of the pooler's single server connection finds on it. */
  async function leftOnConnection() {
    const client = new pg.Client({ connectionString: urlWithUser(bouncer.url, APP) })
    await client.connect()
    try {
      const { rows } = await client.query({
        text: `SELECT coalesce(current_setting('attesto.tenant_id', true), '') AS tenant,
          (SELECT count(*) FROM pg_prepared_statements)::int AS prepared,
          (SELECT count(*) FROM "${SCHEMA}".tenant_records)::int AS visible`,
        queryMode: 'simple',
      } as pg.QueryConfig)
      return rows[0] as { tenant: string; prepared: number; visible: number }
    } finally {
      await client.end()
    }
  }

  /** Two databases (two instances) of two tenants, through the pooler's single server connection. */
  async function interleave(transactionPooling: boolean) {
    const open = () =>
      new PostgresDatabase({ connectionString: urlWithUser(bouncer.url, APP), maxConnections: 1, transactionPooling })
    const [a, b] = [open(), open()]
    const store = (database: PostgresDatabase) => new SessionStore<{ state: string }>(database, SCHEMA, 'PoolTest')
    const suffix = transactionPooling ? 'pooled' : 'session'
    try {
      const outcomes: string[] = []
      for (let round = 0; round < 3; round++) {
        for (const [database, tenant] of [
          [a, 'tenant-a'],
          [b, 'tenant-b'],
        ] as const) {
          const id = `${suffix}-${tenant}-${round}`
          try {
            await store(database).insert(tenant, id, { state: 'offered' }, FAR)
            outcomes.push((await store(database).find(tenant, id))?.state ?? 'missing')
          } catch (error) {
            outcomes.push(`error: ${(error as Error).message}`)
          }
        }
      }
      return outcomes
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  }

  it('keeps each tenant to its rows with SET LOCAL per transaction, and leaves nothing on the connection', async () => {
    expect(await interleave(true)).toEqual(Array(6).fill('offered'))
    const pooled = new PostgresDatabase({
      connectionString: urlWithUser(bouncer.url, APP),
      transactionPooling: true,
    })
    const other = new SessionStore<{ state: string }>(pooled, SCHEMA, 'PoolTest')
    expect(await other.find('tenant-b', 'pooled-tenant-a-0')).toBeNull()
    expect(await other.find('tenant-a', 'pooled-tenant-a-0')).toEqual({ state: 'offered' })
    await pooled.close()
    // The next client on the same server connection finds no tenant bound and no statement prepared.
    expect(await leftOnConnection()).toEqual({ tenant: '', prepared: 0, visible: 0 })
  })

  it('goes wrong in the session-bound mode (rows of the wrong tenant, prepared statements clashing)', async () => {
    const outcomes = await interleave(false)
    expect(outcomes.filter((outcome) => outcome !== 'offered')).not.toEqual([])
  })
})
