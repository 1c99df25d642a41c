import pg from 'pg'
import { PostgresDatabase } from '../src/database/PostgresDatabase.js'
import { migrate } from '../src/migrations/migrate.js'
import { PostgresStorageService } from '../src/PostgresStorageService.js'
import { StorageServiceError, StorageUnavailableError } from '../src/StorageServiceError.js'
import { TestRecord } from './support/TestRecord.js'
import {
  APP_ROLE,
  createPostgresTestStorage,
  POSTGRES_ADMIN_URL,
  type TestStorage,
  tenantContext,
  uniqueSchema,
  urlWithUser,
} from './support/testStorage.js'

// Behaviour that only a real PostgreSQL server shows: row-level security binding a role that
// is not the owner, connection loss, timeouts, concurrent migrations. PostgreSQL at
// ATTESTO_TEST_DATABASE_URL (default 127.0.0.1:5432).

describe('row-level security, the second wall (app role)', () => {
  let storage: TestStorage
  const tenantA = tenantContext('rls-a')
  const tenantB = tenantContext('rls-b')

  beforeAll(async () => {
    storage = await createPostgresTestStorage()
    await storage.storageService.save(tenantA, new TestRecord({ id: 'a1' }))
    await storage.storageService.save(tenantA, new TestRecord({ id: 'a2' }))
    await storage.storageService.save(tenantB, new TestRecord({ id: 'b1' }))
  })
  afterAll(() => storage.dispose())

  const table = () => `"${storage.schema}".records`

  it('shows a session only its tenant’s rows even when the SQL forgets the tenant filter', async () => {
    const seen = await storage.database.withTenant('rls-a', (session) =>
      session.query<{ id: string }>(`SELECT id FROM ${table()} ORDER BY id`),
    )
    expect(seen.rows.map((row) => row.id)).toEqual(['a1', 'a2'])
    const deleted = await storage.database.withTenant('rls-a', (session) =>
      session.query(`DELETE FROM ${table()} WHERE id = 'b1'`),
    )
    expect(deleted.rowCount).toBe(0)
  })

  it('refuses to write a row for another tenant', async () => {
    const attempt = storage.database.withTenant('rls-a', (session) =>
      session.query(
        `INSERT INTO ${table()} (tenant_id, record_type, id, value, created_at) VALUES ('rls-b', 'TestRecord', 'x', '{}', now())`,
      ),
    )
    await expect(attempt).rejects.toBeInstanceOf(StorageServiceError)
    await expect(attempt).rejects.toMatchObject({ cause: { code: '42501' } })
  })

  it('shows nothing to a session bound to no tenant', async () => {
    const client = new pg.Client({ connectionString: urlWithUser(POSTGRES_ADMIN_URL, APP_ROLE) })
    await client.connect()
    try {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table()}`)
      expect(rows[0].n).toBe(0)
      // The app role does not own the table: it cannot switch the wall off.
      await expect(client.query(`ALTER TABLE ${table()} DISABLE ROW LEVEL SECURITY`)).rejects.toMatchObject({
        code: '42501',
      })
    } finally {
      await client.end()
    }
  })

  it('rebinds a pooled connection when it moves from one tenant to another', async () => {
    const single = new PostgresDatabase({
      connectionString: urlWithUser(POSTGRES_ADMIN_URL, APP_ROLE),
      maxConnections: 1,
    })
    try {
      const service = new PostgresStorageService<TestRecord>({ database: single, schema: storage.schema })
      expect((await service.getAll(tenantA, TestRecord)).map((r) => r.id).sort()).toEqual(['a1', 'a2'])
      const raw = await single.withTenant('rls-b', (session) =>
        session.query<{ id: string }>(`SELECT id FROM ${table()}`),
      )
      expect(raw.rows.map((row) => row.id)).toEqual(['b1'])
    } finally {
      await single.close()
    }
  })
})

describe('failures mid-flow', () => {
  let storage: TestStorage
  const tenant = tenantContext('failures')

  beforeAll(async () => {
    storage = await createPostgresTestStorage()
  })
  afterAll(() => storage.dispose())

  it('turns an unreachable database into StorageUnavailableError with its cause', async () => {
    const down = new PostgresDatabase({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      connectionTimeoutMillis: 500,
    })
    try {
      const service = new PostgresStorageService<TestRecord>({ database: down, schema: storage.schema })
      const attempt = service.save(tenant, new TestRecord())
      await expect(attempt).rejects.toBeInstanceOf(StorageUnavailableError)
      await expect(attempt).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } })
    } finally {
      await down.close()
    }
  })

  it('turns a statement timeout into StorageUnavailableError', async () => {
    const slow = new PostgresDatabase({ connectionString: POSTGRES_ADMIN_URL, statementTimeoutMillis: 100 })
    try {
      await expect(slow.withTenant('t', (session) => session.query('SELECT pg_sleep(2)'))).rejects.toBeInstanceOf(
        StorageUnavailableError,
      )
    } finally {
      await slow.close()
    }
  })

  it('loses nothing and writes nothing partial when the connection dies inside a locked update', async () => {
    const record = new TestRecord({ counter: 1, tags: { state: 'before' } })
    await storage.storageService.save(tenant, record)

    const attempt = storage.storageService.updateByIdWithLock(tenant, TestRecord, record.id, async (fresh) => {
      // Kill this very transaction's backend, as a database failover would.
      await storage.admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE application_name = $1 AND state = 'idle in transaction'`,
        [`attesto-test-${storage.schema}`],
      )
      fresh.counter = 2
      fresh.setTag('state', 'after')
      return fresh
    })
    await expect(attempt).rejects.toBeInstanceOf(StorageUnavailableError)

    const after = await storage.storageService.getById(tenant, TestRecord, record.id)
    expect(after.counter).toBe(1)
    expect(after.getTags()).toEqual({ state: 'before' })
  })
})

describe('migrations', () => {
  it('applies once when many instances start together', async () => {
    const schema = uniqueSchema()
    const instances = Array.from(
      { length: 5 },
      () => new PostgresDatabase({ connectionString: POSTGRES_ADMIN_URL, maxConnections: 1 }),
    )
    try {
      const results = await Promise.all(instances.map((database) => migrate(database, { schema })))
      const applied = results.flatMap((result) => result.applied)
      expect(applied).toEqual(['001_records.sql'])
      const counted = await instances[0]?.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${schema}".schema_migrations`,
      )
      expect(counted?.rows[0]?.n).toBe(1)
    } finally {
      await instances[0]?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await Promise.all(instances.map((database) => database.close()))
    }
  })
})

describe('read replica routing', () => {
  it('sends only the configured record types to the replica', async () => {
    const storage = await createPostgresTestStorage()
    // A replica that is down makes the routing visible.
    const database = new PostgresDatabase({
      connectionString: urlWithUser(POSTGRES_ADMIN_URL, APP_ROLE),
      replicaConnectionString: 'postgres://postgres@127.0.0.1:1/none',
      connectionTimeoutMillis: 500,
    })
    try {
      const service = new PostgresStorageService<TestRecord>({
        database,
        schema: storage.schema,
        replicaReadRecordTypes: ['TestRecord'],
      })
      const tenant = tenantContext('replica')
      const record = new TestRecord()
      await service.save(tenant, record)
      await expect(service.getById(tenant, TestRecord, record.id)).resolves.toBeInstanceOf(TestRecord)
      await expect(service.findByQuery(tenant, TestRecord, {})).rejects.toBeInstanceOf(StorageUnavailableError)
    } finally {
      await database.close()
      await storage.dispose()
    }
  })
})
