// Storage-service throughput against raw `pg`, in one run, on the real PostgreSQL.
//
//   npm run bench -w @attesto/storage-service
//
// Both sides run the same statements on the same table with the same pool size and the same
// number of calls in flight. "ours" is PostgresStorageService as the least-privileged app role
// (row-level security on, tenant bound per connection, Credo record (de)serialisation);
// "raw pg" is hand-written SQL with plain JSON, as the table owner (no RLS).
import { randomBytes } from 'node:crypto'
import { AgentContext, DependencyManager } from '@credo-ts/core'
import pg from 'pg'
import { PostgresDatabase } from '../src/database/PostgresDatabase.js'
import { grantAppRole } from '../src/migrations/grantAppRole.js'
import { migrate } from '../src/migrations/migrate.js'
import { PostgresStorageService } from '../src/PostgresStorageService.js'
import { TestRecord } from '../tests/support/TestRecord.js'
import { type Measurement, measure } from './measure.js'

const ADMIN_URL = process.env.ATTESTO_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const APP_ROLE = 'attesto_bench_app'
const POOL_SIZE = 8
const CONCURRENCY = 16
const COUNT = Number(process.env.BENCH_COUNT ?? 4000)
const ROUNDS = 3

function appUrl(): string {
  const url = new URL(ADMIN_URL)
  url.username = APP_ROLE
  return url.toString()
}

function makeRecord(index: number, tenantCount: number) {
  return new TestRecord({
    id: `rec-${index}`,
    counter: index,
    tags: { state: index % 2 ? 'done' : 'offered', bucket: `b${Math.floor(index / tenantCount) % 200}`, roles: ['x'] },
  })
}

async function scenario(tenantCount: number): Promise<Measurement[]> {
  const schema = `bench_${randomBytes(4).toString('hex')}`
  const owner = new PostgresDatabase({ connectionString: ADMIN_URL, maxConnections: 1 })
  await migrate(owner, { schema })
  await grantAppRole(owner, { schema, role: APP_ROLE })
  await owner.close()

  const database = new PostgresDatabase({ connectionString: appUrl(), maxConnections: POOL_SIZE })
  const service = new PostgresStorageService<TestRecord>({ database, schema })
  const raw = new pg.Pool({ connectionString: ADMIN_URL, max: POOL_SIZE })
  const table = `"${schema}".records`
  const contexts = Array.from(
    { length: tenantCount },
    (_, i) => new AgentContext({ dependencyManager: new DependencyManager(), contextCorrelationId: `tenant-${i}` }),
  )
  const contextOf = (i: number) => contexts[i % tenantCount] as AgentContext
  const rawTenant = (i: number) => `raw-tenant-${i % tenantCount}`

  const results: Measurement[] = []
  // Rounds alternate raw pg and ours, so drift on a shared machine (autovacuum, other load)
  // hits both sides alike; the report takes the median round. Index i of round r is
  // r * COUNT + i, so saves never collide and reads find rows saved earlier.
  const pair = async (op: string, ours: (i: number) => Promise<unknown>, baseline: (i: number) => Promise<unknown>) => {
    await Promise.all(Array.from({ length: POOL_SIZE }, (_, i) => ours(ROUNDS * COUNT + i))) // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      const offset = round * COUNT
      results.push(await measure(`${op} raw pg`, COUNT, CONCURRENCY, (i) => baseline(offset + i)))
      results.push(await measure(`${op} ours`, COUNT, CONCURRENCY, (i) => ours(offset + i)))
    }
  }

  await pair(
    'save',
    (i) => service.save(contextOf(i), makeRecord(i, tenantCount)),
    (i) => {
      const record = makeRecord(i, tenantCount)
      return raw.query(
        `INSERT INTO ${table} (tenant_id, record_type, id, value, tags, created_at)
         VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6)`,
        [
          rawTenant(i),
          record.type,
          record.id,
          JSON.stringify({ id: record.id, counter: record.counter, createdAt: record.createdAt, metadata: {} }),
          JSON.stringify(record.getTags()),
          record.createdAt,
        ],
      )
    },
  )
  // Fresh statistics for the planner on both sides before the reads.
  await raw.query(`ANALYZE ${table}`)
  await pair(
    'getById',
    (i) => service.getById(contextOf(i), TestRecord, `rec-${i}`),
    async (i) => {
      const { rows } = await raw.query(
        `SELECT value, tags FROM ${table} WHERE tenant_id = $1 AND record_type = $2 AND id = $3`,
        [rawTenant(i), 'TestRecord', `rec-${i}`],
      )
      if (rows.length !== 1) throw new Error('raw getById found nothing')
    },
  )
  await pair(
    'findByQuery',
    (i) => service.findByQuery(contextOf(i), TestRecord, { bucket: `b${i % 200}`, state: 'done' }),
    (i) =>
      raw.query(
        `SELECT value, tags FROM ${table}
         WHERE tenant_id = $1 AND record_type = $2 AND tags @> $3::jsonb ORDER BY created_at, id`,
        [rawTenant(i), 'TestRecord', JSON.stringify({ bucket: `b${i % 200}`, state: 'done' })],
      ),
  )

  await database.close()
  await raw.query(`DROP SCHEMA "${schema}" CASCADE`)
  await raw.end()
  return results
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

function report(title: string, results: Measurement[]) {
  console.log(`\n${title} (median of ${ROUNDS} alternating rounds)`)
  console.log('operation     raw pg ops/s   ours ops/s   ours / raw pg')
  for (const op of ['save', 'getById', 'findByQuery']) {
    const rates = (side: string) => results.filter((r) => r.name === `${op} ${side}`).map((r) => r.perSecond)
    const baseline = median(rates('raw pg'))
    const ours = median(rates('ours'))
    const ratio = median(rates('ours').map((rate, round) => rate / (rates('raw pg')[round] ?? Number.NaN)))
    console.log(
      `${op.padEnd(13)} ${baseline.toFixed(0).padStart(12)} ${ours.toFixed(0).padStart(12)} ${ratio.toFixed(2).padStart(15)}`,
    )
  }
}

async function main() {
  console.log(
    `storage-service vs raw pg on ${new URL(ADMIN_URL).host}: ${COUNT} ops each, pool ${POOL_SIZE}, ${CONCURRENCY} in flight`,
  )
  report('1 tenant', await scenario(1))
  report('100 tenants, requests round-robin across tenants', await scenario(100))
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
