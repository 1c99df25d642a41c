// Server cost per flow, ours against Credo alone, in one run:
//   npm run bench -w @attesto/system-tests  (after npm run build; PostgreSQL server binaries installed)
//
// A thin load generator (bench/loadgen: plain HTTP, node:crypto, jose) drives full OID4VCI
// issuances and OID4VP verifications against each deployment's issuer and verifier processes, and
// checks every answer. Per flow kind and concurrency it prints flows/s, client latencies per flow
// and per HTTP step, the CPU time per flow of the service process and of PostgreSQL (from
// /proc), and PostgreSQL statements and transactions per flow. Our services run on a PostgreSQL
// cluster of the benchmark's own, started here and removed at the end.
//
// BENCH_FLOWS (400 per point), BENCH_CONCURRENCY (1,8,32), BENCH_WARMUP_FLOWS (max(300, 10 × in
// flight)), BENCH_MAX_SECONDS (20 per window), BENCH_KINDS (issuance,verification,authorization-code:
// the authorization code flow with the tenant's OpenID provider in a process of its own, whose CPU
// is reported apart), BENCH_X5C (0: no issuance and verification with an x5c issuer beside the
// DID issuer), BENCH_COMPARE_TREE (the absolute path of another built checkout: its services are
// measured too, for a before/after in one run),
// BENCH_STATEMENTS (1: print each point's statements by shape, per flow),
// BENCH_OBSERVABILITY_OFF (1: also measure our services with METRICS=off and ACCESS_LOG=off, for
// the cost of metrics and the access log, in the same run).
//
// A yardstick runs beside them: a bare node:http server sent the same requests as each flow
// (bench/deployments/bareHttp.ts), so each deployment's cost also reads as a multiple of what
// node's HTTP server alone spends on this machine.
import { startBareHttp } from './deployments/bareHttp.js'
import { startVariants } from './deployments/benchVariants.js'
import { startCredoAlone } from './deployments/credoAlone.js'
import type { Deployment } from './deployments/Deployment.js'
import { startOurServices } from './deployments/ourServices.js'
import { issuanceFlow, verificationFlow } from './loadgen/oid4vcFlows.js'
import { ProtocolNotes } from './loadgen/ProtocolNotes.js'
import { StepClient } from './loadgen/StepClient.js'
import type { SdJwtVc } from './loadgen/sdJwtVc.js'
import type { FlowKind, PointMeasurement } from './measure/measurePoint.js'
import { measureRound, type RoundEntry, STATISTICS_DELAY_MILLIS } from './measure/measureRound.js'
import { OwnPostgresCluster } from './measure/OwnPostgresCluster.js'
import { childPids } from './measure/processCpu.js'
import { observabilityCost, printTables, yardstickTable } from './report/printTables.js'
import { statementTables } from './report/statementTables.js'
import { variantTables } from './report/variantTables.js'

const list = (value: string | undefined, fallback: string) => (value ?? fallback).split(',').map((v) => v.trim())
const FLOWS = Number(process.env.BENCH_FLOWS ?? 400)
const CONCURRENCIES = list(process.env.BENCH_CONCURRENCY, '1,8,32').map(Number)
const MAX_SECONDS = Number(process.env.BENCH_MAX_SECONDS ?? 20)
const KINDS = list(process.env.BENCH_KINDS, 'issuance,verification,authorization-code') as FlowKind[]
/**
 * Steady state, as a long-running service sees it: V8 optimises a function only after many calls,
 * and a few dozen flows leave much of a flow's code unoptimised (at 20 warm-up flows our issuance
 * measured about 45 % above its steady state, bare node:http about 150 %).
 */
const warmupFlows = (concurrency: number) => Number(process.env.BENCH_WARMUP_FLOWS ?? Math.max(300, 10 * concurrency))

const cleanups: (() => Promise<void>)[] = []
/** The deployments started so far: what they logged is printed when the run fails. */
const started: Deployment[] = []
async function cleanUp() {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error) => console.error(error))
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the services and removing the PostgreSQL cluster`)
    void cleanUp().finally(() => {
      // Services still starting have no clean-up yet: end this process's own children by id.
      for (const pid of childPids(process.pid)) process.kill(pid, 'SIGKILL')
      process.exit(130)
    })
  })
}

/** Starts every deployment and answers, per flow kind, the entries of a round in the order they take turns. */
async function deployments(client: StepClient, postgres: OwnPostgresCluster, notes: ProtocolNotes) {
  const ours = await startOurServices(client, postgres.url)
  cleanups.push(() => ours.close())
  started.push(ours)
  const credo = await startCredoAlone()
  cleanups.push(() => credo.close())
  started.push(credo)
  const bare = await startBareHttp()
  cleanups.push(() => bare.close())
  const variants = await startVariants(client, ours, postgres.url, {
    cleanups,
    started,
    authorizationCode: KINDS.includes('authorization-code'),
  })
  const { quiet, compared, x5c, authorizationCode } = variants
  const credentials = new Map<Deployment, SdJwtVc>()
  for (const deployment of [ours, credo, quiet, compared, x5c].filter((d): d is Deployment => d !== undefined))
    credentials.set(deployment, await issuanceFlow(deployment, client, notes))
  const entry = (deployment: Deployment, kind: 'issuance' | 'verification', ownPostgres = true): RoundEntry => ({
    deployment,
    ...(ownPostgres ? { postgres } : {}),
    flow: async () => {
      if (kind === 'issuance') await issuanceFlow(deployment, client, notes)
      else await verificationFlow(deployment, client, notes, credentials.get(deployment) as SdJwtVc)
    },
  })
  const entriesOf = (kind: FlowKind): RoundEntry[] => {
    const yardstick = { deployment: bare, flow: () => bare.flow(kind, client) }
    if (kind === 'authorization-code') {
      if (!authorizationCode) return []
      const flow = async () => void (await authorizationCode.flow(client))
      return [{ deployment: authorizationCode, flow, postgres, sidePids: [authorizationCode.providerPid] }, yardstick]
    }
    const extras = [quiet, compared, x5c].filter((d): d is Deployment => d !== undefined)
    return [entry(ours, kind), entry(credo, kind, false), yardstick, ...extras.map((d) => entry(d, kind))]
  }
  return { ours, bare, variants, entriesOf }
}

async function main() {
  const client = new StepClient({ connections: Math.max(...CONCURRENCIES) * 2 })
  cleanups.push(() => client.close())
  const postgres = await OwnPostgresCluster.start()
  cleanups.push(() => postgres.stop())
  const notes = new ProtocolNotes()
  const { ours, bare, variants, entriesOf } = await deployments(client, postgres, notes)
  console.log(`${FLOWS} flows per point (at most ${MAX_SECONDS} s), in flight: ${CONCURRENCIES.join(', ')}\n`)
  await new Promise((resolve) => setTimeout(resolve, STATISTICS_DELAY_MILLIS))
  const points: PointMeasurement[] = []
  for (const kind of KINDS) {
    for (const concurrency of CONCURRENCIES) {
      const round = { kind, concurrency, flows: FLOWS, warmupFlows: warmupFlows(concurrency), maxSeconds: MAX_SECONDS }
      points.push(...(await measureRound({ ...round, client, postgres }, entriesOf(kind))))
    }
  }
  console.log(`\n${new Date().toISOString().slice(0, 10)}, ${FLOWS} flows per point\n`)
  console.log(printTables(points, notes.list()))
  console.log(`${yardstickTable(points, ours.name, bare.name)}\n`)
  console.log(variantTables(points, ours.name, variants))
  if (variants.quiet) console.log(observabilityCost(points, ours.name, variants.quiet.name))
  if (process.env.BENCH_STATEMENTS === '1') console.log(statementTables(points))
}

let exitCode = 0
try {
  await main()
} catch (error) {
  exitCode = 1
  console.error(error)
  for (const deployment of started) console.error(`${deployment.name} logged:\n${deployment.output().slice(-4000)}`)
} finally {
  await cleanUp()
}
process.exit(exitCode)
