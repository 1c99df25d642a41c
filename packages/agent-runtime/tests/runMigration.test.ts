import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { PostgresDatabase } from '@attesto/storage-service'
import { DATABASE_URL } from '@attesto/test-servers'
import { runMigration } from '../src/runMigration.js'

// `attesto-<role> migrate` against the real PostgreSQL: the owner migrates and grants, and the
// app role of DATABASE_URL (created here when missing) can then use the schema, nothing more.
describe('runMigration', () => {
  const suffix = randomBytes(4).toString('hex')
  const schema = `m_${suffix}`
  const appRole = `m_app_${suffix}`
  const admin = new PostgresDatabase({ connectionString: DATABASE_URL, maxConnections: 1 })
  const appUrl = () => {
    const url = new URL(DATABASE_URL)
    url.username = appRole
    url.password = ''
    return url.toString()
  }

  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await admin.query(`DROP ROLE IF EXISTS "${appRole}"`)
    await admin.close()
  })

  it('migrates as the owner, creates and grants the app role, and is idempotent', async () => {
    const env = {
      DATABASE_MIGRATION_URL: DATABASE_URL,
      DATABASE_URL: appUrl(),
      DATABASE_SCHEMA: schema,
      LOG_LEVEL: 'error',
    }
    await runMigration('verifier', env)
    await runMigration('verifier', env)
    expect(process.exitCode ?? 0).toBe(0)
    const app = new PostgresDatabase({ connectionString: appUrl(), maxConnections: 1 })
    try {
      const { rows } = await app.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".schema_migrations`)
      expect(rows[0]?.n).toBeGreaterThan(0)
      await expect(app.query(`SELECT * FROM "${schema}".records`)).rejects.toThrow(/permission denied/)
    } finally {
      await app.close()
    }
  })

  it('logs each migration it applies, then what it did, as JSON lines', () => {
    const logSchema = `m_log_${suffix}`
    const runMigrationModule = new URL('../src/runMigration.js', import.meta.url).href
    const run = () =>
      spawnSync(
        process.execPath,
        ['--input-type=module', '-e', `(await import('${runMigrationModule}')).runMigration('issuer', process.env)`],
        {
          env: { ...process.env, DATABASE_URL, DATABASE_SCHEMA: logSchema, LOG_LEVEL: 'info' },
          encoding: 'utf8',
        },
      )
    const lines = (output: string) =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line))
    const first = lines(run().stdout)
    const applied = first.filter((line) => line.message === 'Applied migration')
    expect(applied.length).toBeGreaterThan(0)
    expect(applied[0]).toMatchObject({ level: 'info', service: 'issuer-migrate', data: { schema: logSchema } })
    expect(applied[0].data.migration).toMatch(/^\d+.*\.sql$/)
    expect(first.find((line) => line.message === 'Migrated')?.data.applied).toEqual(
      applied.map((line) => line.data.migration),
    )
    const second = lines(run().stdout)
    expect(second.filter((line) => line.message === 'Applied migration')).toEqual([])
    expect(second.map((line) => line.message)).toContain('Schema up to date')
  }, 60_000)

  afterAll(async () => {
    const cleanup = new PostgresDatabase({ connectionString: DATABASE_URL, maxConnections: 1 })
    await cleanup.query(`DROP SCHEMA IF EXISTS "m_log_${suffix}" CASCADE`)
    await cleanup.close()
  })
})
