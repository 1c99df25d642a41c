// EXPLAIN ANALYZE of the storage service's typical statements on one million rows across
// 1,000 tenants, on the real PostgreSQL, as the app role through the tenant view.
//
//   npm run build && node packages/storage-service/dist/bench/explainQueries.js
//
// The statements are the ones PostgresStorageService sends (captured from its SQL), with
// literal values. The output is what docs/STORAGE-SERVICE.md quotes.
import { randomBytes } from 'node:crypto'
import { inlineParameters } from '../src/database/inlineParameters.js'
import { PostgresDatabase } from '../src/database/PostgresDatabase.js'
import { grantAppRole } from '../src/migrations/grantAppRole.js'
import { migrate } from '../src/migrations/migrate.js'
import { queryToSql } from '../src/query/queryToSql.js'

const ADMIN_URL = process.env.ATTESTO_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const APP_ROLE = 'attesto_bench_app'
const TENANTS = 1000
const ROWS_PER_TENANT = 1000

async function main() {
  const schema = `explain_${randomBytes(4).toString('hex')}`
  const owner = new PostgresDatabase({
    connectionString: ADMIN_URL,
    maxConnections: 1,
    statementTimeoutMillis: 600_000,
  })
  await migrate(owner, { schema })
  await grantAppRole(owner, { schema, role: APP_ROLE })
  const started = Date.now()
  // Five record types; state and bucket tags; a roles array; a third of the rows expire.
  await owner.query(`
    INSERT INTO "${schema}".records (tenant_id, record_type, id, value, tags, created_at, expires_at)
    SELECT 'tenant-' || (i % ${TENANTS}),
           (ARRAY['OpenId4VcIssuanceSessionRecord','DidRecord','SdJwtVcRecord','GenericRecord','OpenId4VcVerificationSessionRecord'])[1 + (i / ${TENANTS}) % 5],
           'id-' || i,
           jsonb_build_object('id', 'id-' || i, 'metadata', '{}'::jsonb, 'payload', repeat('x', 200)),
           jsonb_build_object('state', (ARRAY['offered','done','error'])[1 + i % 3],
                              'bucket', 'b' || (i % 97), 'roles', jsonb_build_array('r' || (i % 5), 'r' || (i % 7))),
           now() - make_interval(secs => i % 100000),
           CASE WHEN i % 3 = 0 THEN now() + interval '7 days' WHEN i % 100 = 1 THEN now() - interval '1 hour' END
    FROM generate_series(1, ${TENANTS * ROWS_PER_TENANT}) AS i`)
  await owner.query(`VACUUM ANALYZE "${schema}".records`)
  console.log(`loaded ${TENANTS * ROWS_PER_TENANT} rows in ${((Date.now() - started) / 1000).toFixed(0)} s\n`)

  const url = new URL(ADMIN_URL)
  url.username = APP_ROLE
  const app = new PostgresDatabase({ connectionString: url.toString(), maxConnections: 1, preparedStatements: false })
  const view = `"${schema}".tenant_records`
  const live = '(expires_at IS NULL OR expires_at > now())'
  const tenant = 'tenant-42'
  const findSql = (query: Parameters<typeof queryToSql>[0]) => {
    const params: unknown[] = [tenant, 'OpenId4VcIssuanceSessionRecord']
    const condition = queryToSql(query, params)
    return inlineParameters(
      `SELECT value, tags FROM ${view} WHERE tenant_id = $1 AND record_type = $2 AND ${live} AND ${condition} ORDER BY created_at, id`,
      params,
    )
  }
  const statements: [string, string][] = [
    [
      'getById',
      `SELECT value, tags FROM ${view} WHERE tenant_id = '${tenant}' AND record_type = 'OpenId4VcIssuanceSessionRecord' AND id = 'id-42' AND ${live}`,
    ],
    [
      'getAll (one type of one tenant, creation order)',
      `SELECT value, tags FROM ${view} WHERE tenant_id = '${tenant}' AND record_type = 'DidRecord' AND ${live} ORDER BY created_at, id`,
    ],
    ['findByQuery { state, bucket }', findSql({ state: 'done', bucket: 'b42' })],
    ['findByQuery { roles: [r2, r3] } (array tag)', findSql({ roles: ['r2', 'r3'] })],
    ['findByQuery { $or: [{ bucket }, { bucket }] }', findSql({ $or: [{ bucket: 'b1' }, { bucket: 'b2' }] })],
    ['findByQuery { state, $not: { bucket } }', findSql({ state: 'offered', $not: { bucket: 'b5' } })],
    ['findByQuery with limit 10 (paged)', `${findSql({ state: 'done' })} LIMIT 10`],
  ]
  for (const [title, sql] of statements) {
    const { rows } = await app.withTenant(tenant, (session) =>
      session.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF, TIMING ON) ${sql}`),
    )
    console.log(`### ${title}\n\n${sql}\n\n${rows.map((row) => row['QUERY PLAN']).join('\n')}\n`)
  }
  const purge = await owner.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, COSTS OFF) SELECT tenant_id, record_type, id FROM "${schema}".records
     WHERE expires_at <= now() ORDER BY expires_at LIMIT 1000 FOR UPDATE SKIP LOCKED`,
  )
  console.log(
    `### cleanup batch (inside purge_expired_records)\n\n${purge.rows.map((r) => r['QUERY PLAN']).join('\n')}\n`,
  )

  await app.close()
  await owner.query(`DROP SCHEMA "${schema}" CASCADE`)
  await owner.close()
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
