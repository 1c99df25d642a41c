// Batch issuance against single issuances, on the real PostgreSQL (local KMS):
//   npm run bench -w @attesto/issuer    (after npm run build; runs after the status list benchmark)
//   node packages/issuer/dist/bench/batchIssuanceBench.js    (this one alone)
//
// The issuer runs in this process, a wallet (batchWallet.ts) in a child process of its own. After
// a warm-up, the wallet runs 10 × BENCH_BATCH_FLOWS (default 30) full single issuances (offer
// through the REST API, token, nonce, credential with one proof), then BENCH_BATCH_FLOWS
// issuances of a batch of 10 (the same with ten proofs): the same number of credentials,
// BENCH_BATCH_IN_FLIGHT (default 4) flows at a time. Per credential it prints the issuer's CPU
// (this process, /proc/self/stat), PostgreSQL's CPU (the backends of the issuer's connection
// pool, found by their application_name in pg_stat_activity, from /proc/<pid>/stat; the
// server's background writers are not counted) and the SQL statements the issuer sent (counted
// at its Database object); per flow, the statements.
import { randomBytes } from 'node:crypto'
import { PostgresDatabase } from '@attesto/storage-service'
import { DATABASE_URL, startService } from '@attesto/testing'
import { createIssuerApp } from '../src/app.js'
import { tenantWithIssuer } from '../tests/support/issuerFixture.js'
import type { WalletRun } from './batchWallet.js'
import { cpuBetween, cpuMillisOf, cpuOfProcesses } from './measure/processCpu.js'
import { countStatements } from './measure/statementCounter.js'
import { runWallet } from './measure/walletProcess.js'

const FLOWS = Number(process.env.BENCH_BATCH_FLOWS ?? 30)
const IN_FLIGHT = Number(process.env.BENCH_BATCH_IN_FLIGHT ?? 4)
const BATCH = 10

const applicationName = `attesto-bench-${randomBytes(4).toString('hex')}`
const databaseUrl = new URL(DATABASE_URL)
databaseUrl.searchParams.set('application_name', applicationName)
const service = await startService('issuer', createIssuerApp, {
  DATABASE_URL: databaseUrl.toString(),
  TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
  PROTOCOL_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
})
const statements = countStatements(service.runtime.storage.database)
const admin = new PostgresDatabase({ connectionString: DATABASE_URL, maxConnections: 1 })

/** The PostgreSQL backends serving the issuer's pool. */
async function issuerBackends(): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [
    applicationName,
  ])
  return rows.map((row) => row.pid)
}

interface Measured {
  label: string
  flows: number
  credentials: number
  perSecond: number
  issuerMillis: number
  postgresMillis: number
  statements: number
  endedBackends: number
}

async function measure(label: string, run: WalletRun): Promise<Measured> {
  const postgresBefore = cpuOfProcesses(await issuerBackends())
  const issuerBefore = cpuMillisOf('self') as number
  const statementsBefore = statements.count
  const { credentials, millis } = await runWallet(run)
  const issuerMillis = (cpuMillisOf('self') as number) - issuerBefore
  const sent = statements.count - statementsBefore
  const postgres = cpuBetween(postgresBefore, cpuOfProcesses(await issuerBackends()))
  return {
    label,
    flows: run.flows,
    credentials,
    perSecond: credentials / (millis / 1000),
    issuerMillis,
    postgresMillis: postgres.millis,
    statements: sent,
    endedBackends: postgres.ended,
  }
}

const row = (m: Measured) =>
  `  ${m.label.padEnd(26)}${m.perSecond.toFixed(0).padStart(8)}${(m.issuerMillis / m.credentials).toFixed(2).padStart(10)}${(m.postgresMillis / m.credentials).toFixed(2).padStart(10)}${(m.statements / m.credentials).toFixed(2).padStart(10)}${(m.statements / m.flows).toFixed(1).padStart(12)}`

try {
  const { key, issuerId } = await tenantWithIssuer(service, {
    label: 'Transit',
    configurationId: 'pass',
    vct: 'urn:attesto:bench:pass',
    claims: [{ name: 'given_name', type: 'string', required: true }],
  })
  await service.call('PATCH', `/issuers/${issuerId}`, key, { batchSize: BATCH })
  const run = { url: service.http.url, key, issuerId, inFlight: IN_FLIGHT }
  await measure('warm-up', { ...run, flows: 100, proofs: 1 })
  await measure('warm-up', { ...run, flows: 10, proofs: BATCH })
  const singles = await measure(`${BATCH * FLOWS} single issuances`, { ...run, flows: BATCH * FLOWS, proofs: 1 })
  const batches = await measure(`${FLOWS} batches of ${BATCH}`, { ...run, flows: FLOWS, proofs: BATCH })
  console.log(
    `Batch issuance (${singles.credentials} credentials each way, ${IN_FLIGHT} flows in flight, real PostgreSQL, local KMS, revocable: a status index each)`,
  )
  console.log(
    `  ${''.padEnd(26)}${'cred/s'.padStart(8)}${'issuer ms'.padStart(10)}${'pg ms'.padStart(10)}${'stmts'.padStart(10)}${'stmts/flow'.padStart(12)}`,
  )
  console.log('  (per credential: issuer CPU, PostgreSQL CPU, SQL statements; and statements per flow)')
  console.log(row(singles))
  console.log(row(batches))
  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : 'n/a')
  console.log(
    `  a batch of ${BATCH} / ${BATCH} singles: issuer CPU ×${ratio(batches.issuerMillis, singles.issuerMillis)}, PostgreSQL CPU ×${ratio(batches.postgresMillis, singles.postgresMillis)}, statements ×${ratio(batches.statements, singles.statements)}`,
  )
  const ended = singles.endedBackends + batches.endedBackends
  if (ended > 0) console.log(`  (${ended} PostgreSQL backend(s) ended during a run: their last CPU share is missing)`)
} finally {
  await admin.close()
  await service.close()
}
