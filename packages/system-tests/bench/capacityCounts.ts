// What one issuance and one verification ask of Redis and of the KMS, counted, for the capacity plan
// (docs/PERFORMANCE.md, "Capacity plan"):
//   npm run build && node packages/system-tests/dist/bench/capacityCounts.js
//
// Our issuer and verifier processes (bench/deployments/ourServices.ts) with REDIS_URL set to a
// redis-server of the benchmark's own (a free port, a temporary directory, no persistence) and
// METRICS_TOKEN set, on fresh schemas of ATTESTO_TEST_DATABASE_URL (the machine's PostgreSQL by
// default). Per KMS backend, two deployments: without TOKEN_SIGNING_SECRET and with plain
// direct_post responses, then with TOKEN_SIGNING_SECRET and direct_post.jwt (a response key per
// request, wrapped by the KMS). Each runs one warm-up flow of each kind, then CAPACITY_FLOWS (50)
// issuances (offer via REST, token, nonce, credential), then as many verifications (request via
// REST, request object, response, result via REST), one at a time. Counted around each phase:
// Redis's `INFO commandstats` (after CONFIG RESETSTAT; what the services send while idle, measured
// in a window before the phase, is subtracted and printed) and the services'
// `attesto_kms_call_duration_seconds_count{backend,operation}`.
// CAPACITY_FLOWS (50), CAPACITY_BACKENDS (local; vault and aws use the in-repo test servers),
// CAPACITY_IDLE_SECONDS (5).
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { serviceKms } from '@attesto/test-servers'
import { freePort } from '@attesto/testing'
import type { Deployment } from './deployments/Deployment.js'
import { startOurServices } from './deployments/ourServices.js'
import { issuanceFlow, verificationFlow } from './loadgen/oid4vcFlows.js'
import { ProtocolNotes } from './loadgen/ProtocolNotes.js'
import { StepClient } from './loadgen/StepClient.js'
import type { SdJwtVc } from './loadgen/sdJwtVc.js'

const run = promisify(execFile)
const FLOWS = Number(process.env.CAPACITY_FLOWS ?? 50)
const IDLE_SECONDS = Number(process.env.CAPACITY_IDLE_SECONDS ?? 5)
const BACKENDS = (process.env.CAPACITY_BACKENDS ?? 'local').split(',').map((v) => v.trim()) as (
  | 'local'
  | 'vault'
  | 'aws'
)[]
const DATABASE_URL = process.env.ATTESTO_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const METRICS_TOKEN = 'capacity-counts-metrics-token'

type Counts = Map<string, number>

/** A redis-server of this benchmark's own, in a temporary directory, without persistence. */
async function startRedis(): Promise<{ port: number; stop(): Promise<void> }> {
  const port = await freePort()
  const dir = await mkdtemp(join(tmpdir(), 'capacity-redis-'))
  await run('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--daemonize',
    'yes',
    '--pidfile',
    join(dir, 'redis.pid'),
  ])
  for (let i = 0; i < 50; i++) {
    if (
      await cli(port, 'PING').then(
        (r) => r.trim() === 'PONG',
        () => false,
      )
    )
      break
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    port,
    stop: async () => {
      await cli(port, 'SHUTDOWN', 'NOSAVE').catch(() => {})
      await rm(dir, { recursive: true, force: true })
    },
  }
}

const cli = async (port: number, ...args: string[]) => (await run('redis-cli', ['-p', String(port), ...args])).stdout

/** Calls per command since the last CONFIG RESETSTAT, without our own INFO and CONFIG. */
async function commandStats(port: number): Promise<Counts> {
  const counts: Counts = new Map()
  for (const line of (await cli(port, 'INFO', 'commandstats')).split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim())
    if (match?.[1] && !['info', 'config'].includes(match[1].split('|')[0] ?? '')) counts.set(match[1], Number(match[2]))
  }
  return counts
}

/** `attesto_kms_call_duration_seconds_count` per operation (and outcome when not ok) of both services. */
async function kmsCalls(urls: string[]): Promise<Counts> {
  const counts: Counts = new Map()
  for (const url of urls) {
    const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    if (!response.ok) throw new Error(`GET ${url}/metrics: ${response.status}`)
    for (const line of (await response.text()).split('\n')) {
      if (!line.startsWith('attesto_kms_call_duration_seconds_count{')) continue
      const operation = /operation="([^"]+)"/.exec(line)?.[1]
      const outcome = /outcome="([^"]+)"/.exec(line)?.[1]
      const key = outcome === 'ok' ? `${operation}` : `${operation} (${outcome})`
      counts.set(key, (counts.get(key) ?? 0) + Number(line.split(' ').pop()))
    }
  }
  return counts
}

const minus = (after: Counts, before: Counts, scale = 1): Counts =>
  new Map([...after].map(([key, value]) => [key, value - (before.get(key) ?? 0) * scale]))

const perFlow = (counts: Counts) =>
  [...counts]
    .filter(([, value]) => Math.abs(value / FLOWS) >= 0.005)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key} ${(value / FLOWS).toFixed(2)}`)
    .join(', ') || 'none'

const sum = (counts: Counts) => [...counts.values()].reduce((a, b) => a + b, 0)

/** Runs FLOWS flows of one kind and prints Redis commands and KMS calls per flow. */
async function countPhase(label: string, redisPort: number, urls: string[], flow: () => Promise<unknown>) {
  await cli(redisPort, 'CONFIG', 'RESETSTAT')
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000))
  const idle = await commandStats(redisPort)
  // Scraping /metrics reads the queues' lengths in Redis: the scrapes stay outside the counted window.
  const kmsBefore = await kmsCalls(urls)
  await cli(redisPort, 'CONFIG', 'RESETSTAT')
  const started = performance.now()
  for (let i = 0; i < FLOWS; i++) await flow()
  const seconds = (performance.now() - started) / 1000
  const redis = minus(await commandStats(redisPort), idle, seconds / IDLE_SECONDS)
  const kms = minus(await kmsCalls(urls), kmsBefore)
  console.log(`  ${label}: ${FLOWS} flows in ${seconds.toFixed(1)} s`)
  console.log(`    Redis commands per flow (${(sum(redis) / FLOWS).toFixed(2)} in all): ${perFlow(redis)}`)
  console.log(
    `    idle Redis commands per second (subtracted): ${(sum(idle) / IDLE_SECONDS).toFixed(2)} ${perFlow(new Map([...idle].map(([k, v]) => [k, (v * FLOWS) / IDLE_SECONDS])))}`,
  )
  console.log(`    KMS calls per flow (${(sum(kms) / FLOWS).toFixed(2)} in all): ${perFlow(kms)}`)
}

async function countDeployment(deployment: Deployment, urls: string[], redisPort: number, client: StepClient) {
  const notes = new ProtocolNotes()
  let credential: SdJwtVc = await issuanceFlow(deployment, client, notes)
  await verificationFlow(deployment, client, notes, credential)
  console.log(deployment.name)
  await countPhase('issuance', redisPort, urls, async () => {
    credential = await issuanceFlow(deployment, client, notes)
  })
  await countPhase('verification', redisPort, urls, () => verificationFlow(deployment, client, notes, credential))
}

const client = new StepClient({ connections: 4 })
const redis = await startRedis()
let exitCode = 0
try {
  for (const backend of BACKENDS) {
    const kms = await serviceKms(backend)
    try {
      for (const variant of [
        { secret: false, responseMode: 'direct_post' as const },
        { secret: true, responseMode: 'direct_post.jwt' as const },
      ]) {
        const name = `${kms.label}, ${variant.secret ? 'TOKEN_SIGNING_SECRET set' : 'no TOKEN_SIGNING_SECRET'}, ${variant.responseMode}`
        const env: Record<string, string> = {
          ...kms.env,
          REDIS_URL: `redis://127.0.0.1:${redis.port}`,
          METRICS_TOKEN,
          ...(variant.secret ? { TOKEN_SIGNING_SECRET: randomBytes(32).toString('base64') } : {}),
        }
        const deployment = await startOurServices(client, DATABASE_URL, {
          name,
          responseMode: variant.responseMode,
          env,
        })
        try {
          const { issuer, verifier } = deployment.serviceUrls ?? {}
          if (!issuer || !verifier) throw new Error(`${name}: no service URLs`)
          await countDeployment(deployment, [issuer, verifier], redis.port, client)
        } finally {
          await deployment.close()
        }
      }
    } finally {
      await kms.stop()
    }
  }
} catch (error) {
  exitCode = 1
  console.error(error)
} finally {
  await redis.stop()
  await client.close()
}
process.exit(exitCode)
