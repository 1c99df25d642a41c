// Server cost per flow, ours against Credo alone, in one run:
//   npm run bench -w @attesto/verifier      (after npm run build; PostgreSQL server binaries installed)
//
// A thin load generator (bench/loadgen: plain HTTP, node:crypto, jose) drives full OID4VCI
// issuances and OID4VP verifications against each deployment's issuer and verifier processes, and
// checks every answer. Per flow kind and concurrency it prints flows/s, client latencies per flow
// and per HTTP step, the CPU time per flow of the service process and of PostgreSQL (from
// /proc), and PostgreSQL statements and transactions per flow. Our services run on a PostgreSQL
// cluster of the benchmark's own, started here and removed at the end.
//
// BENCH_FLOWS (400 per point), BENCH_CONCURRENCY (1,8,32), BENCH_WARMUP_FLOWS (max(300, 10 × in
// flight)), BENCH_MAX_SECONDS (20 per window), BENCH_KINDS (issuance,verification),
// BENCH_OBSERVABILITY_OFF (1: also measure our services with METRICS=off and ACCESS_LOG=off, for
// the cost of metrics and the access log, in the same run).
//
// A yardstick runs beside them: a bare node:http server sent the same requests as each flow
// (bench/deployments/bareHttp.ts), so each deployment's cost also reads as a multiple of what
// node's HTTP server alone spends on this machine.
import { setTimeout as sleep } from 'node:timers/promises'
import { startBareHttp } from './deployments/bareHttp.js'
import { startCredoAlone } from './deployments/credoAlone.js'
import type { Deployment } from './deployments/Deployment.js'
import { startOurServices } from './deployments/ourServices.js'
import { issuanceFlow, verificationFlow } from './loadgen/oid4vcFlows.js'
import { ProtocolNotes } from './loadgen/ProtocolNotes.js'
import { StepClient } from './loadgen/StepClient.js'
import { type FlowKind, measurePoint, type PointMeasurement } from './measure/measurePoint.js'
import { OwnPostgresCluster } from './measure/OwnPostgresCluster.js'
import { childPids } from './measure/processCpu.js'
import { observabilityCost, printTables, yardstickTable } from './report/printTables.js'

const list = (value: string | undefined, fallback: string) => (value ?? fallback).split(',').map((v) => v.trim())
const FLOWS = Number(process.env.BENCH_FLOWS ?? 400)
const CONCURRENCIES = list(process.env.BENCH_CONCURRENCY, '1,8,32').map(Number)
const MAX_SECONDS = Number(process.env.BENCH_MAX_SECONDS ?? 20)
const KINDS = list(process.env.BENCH_KINDS, 'issuance,verification') as FlowKind[]
/**
 * Steady state, as a long-running service sees it: V8 optimises a function only after many calls,
 * and a few dozen flows leave much of a flow's code unoptimised (at 20 warm-up flows our issuance
 * measured about 45 % above its steady state, bare node:http about 150 %).
 */
const warmupFlows = (concurrency: number) => Number(process.env.BENCH_WARMUP_FLOWS ?? Math.max(300, 10 * concurrency))
/** PostgreSQL publishes an idle backend's transaction counts after at most 10 s. */
const STATISTICS_DELAY_MILLIS = 10_500

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

async function main() {
  const client = new StepClient({ connections: Math.max(...CONCURRENCIES) * 2 })
  cleanups.push(() => client.close())
  const postgres = await OwnPostgresCluster.start()
  cleanups.push(() => postgres.stop())
  const ours = await startOurServices(client, postgres.url)
  cleanups.push(() => ours.close())
  started.push(ours)
  const credo = await startCredoAlone()
  cleanups.push(() => credo.close())
  started.push(credo)
  const bare = await startBareHttp()
  cleanups.push(() => bare.close())
  const quiet =
    process.env.BENCH_OBSERVABILITY_OFF === '1'
      ? await startOurServices(client, postgres.url, {
          name: 'ours, METRICS=off ACCESS_LOG=off',
          env: { METRICS: 'off', ACCESS_LOG: 'off' },
        })
      : undefined
  if (quiet) {
    cleanups.push(() => quiet.close())
    started.push(quiet)
  }

  const notes = new ProtocolNotes()
  const credentials = new Map<Deployment, Awaited<ReturnType<typeof issuanceFlow>>>()
  for (const deployment of [ours, credo, ...(quiet ? [quiet] : [])])
    credentials.set(deployment, await issuanceFlow(deployment, client, notes))
  const flowOf = (deployment: Deployment, kind: FlowKind) => async () => {
    if (kind === 'issuance') await issuanceFlow(deployment, client, notes)
    else await verificationFlow(deployment, client, notes, credentials.get(deployment) as never)
  }
  console.log(`${FLOWS} flows per point (at most ${MAX_SECONDS} s), in flight: ${CONCURRENCIES.join(', ')}\n`)

  await sleep(STATISTICS_DELAY_MILLIS)
  let transactionsBefore = (await postgres.counters()).transactions
  const points: PointMeasurement[] = []
  for (const kind of KINDS) {
    for (const concurrency of CONCURRENCIES) {
      const common = {
        kind,
        concurrency,
        flows: FLOWS,
        warmupFlows: warmupFlows(concurrency),
        maxSeconds: MAX_SECONDS,
        client,
      }
      const ourPoint = await measurePoint({ ...common, deployment: ours, postgres, flow: flowOf(ours, kind) })
      const oursEnded = Date.now()
      const credoPoint = await measurePoint({ ...common, deployment: credo, flow: flowOf(credo, kind) })
      // Credo's window runs while our PostgreSQL backends publish their last transaction counts.
      await sleep(Math.max(0, STATISTICS_DELAY_MILLIS - (Date.now() - oursEnded)))
      const transactionsAfter = (await postgres.counters()).transactions
      ourPoint.transactionsPerFlow = (transactionsAfter - transactionsBefore) / ourPoint.countedFlows
      transactionsBefore = transactionsAfter
      const barePoint = await measurePoint({ ...common, deployment: bare, flow: () => bare.flow(kind, client) })
      points.push(ourPoint, credoPoint, barePoint)
      // Without metrics and access log: its own window; its statements are kept out of ours.
      const quietPoint = quiet && (await measurePoint({ ...common, deployment: quiet, flow: flowOf(quiet, kind) }))
      if (quietPoint) {
        points.push(quietPoint)
        await sleep(STATISTICS_DELAY_MILLIS)
        transactionsBefore = (await postgres.counters()).transactions
      }
      for (const point of [ourPoint, credoPoint, barePoint, ...(quietPoint ? [quietPoint] : [])]) {
        console.log(
          `${kind} ${point.deployment} ${concurrency} in flight: ${point.flowsPerSecond.toFixed(1)} flows/s, ` +
            `service ${point.serviceCpuMillisPerFlow.toFixed(2)} CPU ms/flow`,
        )
      }
    }
  }
  console.log(`\n${new Date().toISOString().slice(0, 10)}, ${FLOWS} flows per point\n`)
  console.log(printTables(points, notes.list()))
  console.log(`${yardstickTable(points, ours.name, bare.name)}\n`)
  if (quiet) console.log(observabilityCost(points, ours.name, quiet.name))
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
