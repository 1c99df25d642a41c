import { randomBytes } from 'node:crypto'
import { PostgresDatabase } from '@attesto/storage-service'
import { runMigration } from '../src/runMigration.js'
import { DATABASE_URL } from './support/testRuntimes.js'

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
})
