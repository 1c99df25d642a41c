import pg from 'pg'
import { PostgresDatabase } from '../src/database/PostgresDatabase.js'
import { grantAppRole } from '../src/migrations/grantAppRole.js'
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

describe('the second wall: the tenant view for the app role, row-level security for other roles', () => {
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

  const view = () => `"${storage.schema}".tenant_records`
  const table = () => `"${storage.schema}".records`

  it('shows a session only its tenant’s rows even when the SQL forgets the tenant filter', async () => {
    const seen = await storage.database.withTenant('rls-a', (session) =>
      session.query<{ id: string }>(`SELECT id FROM ${view()} ORDER BY id`),
    )
    expect(seen.rows.map((row) => row.id)).toEqual(['a1', 'a2'])
    const deleted = await storage.database.withTenant('rls-a', (session) =>
      session.query(`DELETE FROM ${view()} WHERE id = 'b1'`),
    )
    expect(deleted.rowCount).toBe(0)
    const updated = await storage.database.withTenant('rls-a', (session) =>
      session.query(`UPDATE ${view()} SET tags = '{}'::jsonb`),
    )
    expect(updated.rowCount).toBe(2)
  })

  it('refuses to write a row for another tenant, or to move a row to another tenant', async () => {
    const insert = storage.database.withTenant('rls-a', (session) =>
      session.query(
        `INSERT INTO ${view()} (tenant_id, record_type, id, value, created_at) VALUES ('rls-b', 'TestRecord', 'x', '{}', now())`,
      ),
    )
    await expect(insert).rejects.toBeInstanceOf(StorageServiceError)
    await expect(insert).rejects.toMatchObject({ cause: { code: '44000' } }) // with_check_option_violation
    const move = storage.database.withTenant('rls-a', (session) =>
      session.query(`UPDATE ${view()} SET tenant_id = 'rls-b' WHERE id = 'a1'`),
    )
    await expect(move).rejects.toMatchObject({ cause: { code: '44000' } })
  })

  it('gives the app role no access to the table itself, and shows an unbound session nothing', async () => {
    const client = new pg.Client({ connectionString: urlWithUser(POSTGRES_ADMIN_URL, APP_ROLE) })
    await client.connect()
    try {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${view()}`)
      expect(rows[0].n).toBe(0)
      await expect(client.query(`SELECT count(*) FROM ${table()}`)).rejects.toMatchObject({ code: '42501' })
      await expect(client.query(`DROP VIEW ${view()}`)).rejects.toMatchObject({ code: '42501' })
    } finally {
      await client.end()
    }
  })

  it('binds any other non-owner role with direct table access through row-level security', async () => {
    const reader = 'attesto_test_reader'
    await storage.admin.query(
      `DO $$ BEGIN CREATE ROLE ${reader} LOGIN NOBYPASSRLS; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    )
    await storage.admin.query(`GRANT USAGE ON SCHEMA "${storage.schema}" TO ${reader}`)
    await storage.admin.query(`GRANT SELECT, INSERT ON ${table()} TO ${reader}`)
    const client = new pg.Client({ connectionString: urlWithUser(POSTGRES_ADMIN_URL, reader) })
    await client.connect()
    try {
      expect((await client.query(`SELECT id FROM ${table()}`)).rows).toEqual([])
      await client.query(`SET attesto.tenant_id = 'rls-b'`)
      expect((await client.query(`SELECT id FROM ${table()}`)).rows).toEqual([{ id: 'b1' }])
      await expect(
        client.query(
          `INSERT INTO ${table()} (tenant_id, record_type, id, value, created_at) VALUES ('rls-a', 'T', 'y', '{}', now())`,
        ),
      ).rejects.toMatchObject({ code: '42501' })
    } finally {
      await client.end()
      await storage.admin.query(`REVOKE ALL ON ${table()} FROM ${reader}`)
      await storage.admin.query(`REVOKE ALL ON SCHEMA "${storage.schema}" FROM ${reader}`)
    }
  })

  it('keeps tag queries of the app role on the GIN index', async () => {
    // Enough rows that a sequential scan would be the planner's choice only if it had no other.
    await storage.admin.query(
      `INSERT INTO ${table()} (tenant_id, record_type, id, value, tags, created_at)
       SELECT 'rls-a', 'TestRecord', 'bulk-' || i, '{}'::jsonb, jsonb_build_object('bucket', 'b' || (i % 500)), now()
       FROM generate_series(1, 20000) AS i`,
    )
    await storage.admin.query(`ANALYZE ${table()}`)
    const plan = await storage.database.withTenant('rls-a', (session) =>
      session.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT value FROM ${view()} WHERE tenant_id = 'rls-a' AND record_type = 'TestRecord'
         AND tags @> '{"bucket":"b7"}'::jsonb`,
      ),
    )
    const text = plan.rows.map((row) => row['QUERY PLAN']).join('\n')
    expect(text).toContain('tags_idx')
    expect(text).not.toContain('Seq Scan')
  })

  it('rebinds a pooled connection when it moves from one tenant to another', async () => {
    const single = new PostgresDatabase({
      connectionString: urlWithUser(POSTGRES_ADMIN_URL, APP_ROLE),
      maxConnections: 1,
    })
    try {
      const service = new PostgresStorageService<TestRecord>({ database: single, schema: storage.schema })
      expect((await service.getById(tenantA, TestRecord, 'a1')).id).toBe('a1')
      const raw = await single.withTenant('rls-b', (session) =>
        session.query<{ id: string }>(`SELECT id FROM ${view()}`),
      )
      expect(raw.rows.map((row) => row.id)).toEqual(['b1'])
      const back = await single.withTenant('rls-a', (session) =>
        session.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${view()} WHERE id = 'b1'`),
      )
      expect(back.rows[0]?.n).toBe(0)
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
      // Each migration file once, in order, whichever instance applied it.
      expect(applied).toEqual(['001_records.sql', '002_management_list_indexes.sql'])
      const counted = await instances[0]?.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${schema}".schema_migrations`,
      )
      expect(counted?.rows[0]?.n).toBe(2)
    } finally {
      await instances[0]?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await Promise.all(instances.map((database) => database.close()))
    }
  })

  it('lets the least-privileged app role start on a schema migrated by the owner, but not migrate it', async () => {
    const schema = uniqueSchema()
    const owner = new PostgresDatabase({ connectionString: POSTGRES_ADMIN_URL, maxConnections: 1 })
    const app = new PostgresDatabase({ connectionString: urlWithUser(POSTGRES_ADMIN_URL, APP_ROLE), maxConnections: 1 })
    try {
      await owner.query(
        `DO $$ BEGIN CREATE ROLE ${APP_ROLE} LOGIN NOBYPASSRLS; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
      )
      await expect(migrate(app, { schema })).rejects.toThrow(/permission denied/)
      await migrate(owner, { schema })
      await grantAppRole(owner, { schema, role: APP_ROLE })
      await expect(migrate(app, { schema })).resolves.toEqual({ applied: [] })
    } finally {
      await owner.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await Promise.all([owner.close(), app.close()])
    }
  })
})

describe('read replica routing', () => {
  it('sends only the configured record types to the replica', async () => {
    const storage = await createPostgresTestStorage()
    // A replica that is down makes the routing visible: a read sent to it falls back to the primary.
    let fallbacks = 0
    const database = new PostgresDatabase({
      connectionString: urlWithUser(POSTGRES_ADMIN_URL, APP_ROLE),
      replicaConnectionString: 'postgres://postgres@127.0.0.1:1/none',
      connectionTimeoutMillis: 500,
      observer: { onWork: () => {}, onReplicaFallback: () => fallbacks++ },
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
      expect(fallbacks).toBe(0)
      expect(await service.findByQuery(tenant, TestRecord, {})).toHaveLength(1)
      expect(fallbacks).toBe(1)
    } finally {
      await database.close()
      await storage.dispose()
    }
  })
})
