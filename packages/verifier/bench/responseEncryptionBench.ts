// What a fresh response-encryption key per request costs a verification, in one run:
//   npm run build && node packages/verifier/dist/bench/responseEncryptionBench.js
//   (also the last part of `npm run bench -w @attesto/verifier`; PostgreSQL server binaries installed)
//
// Our issuer and verifier processes (bench/deployments/ourServices.ts) on the benchmark's own
// PostgreSQL cluster, one pair per variant, driven by the same load generator as
// serverCostBench.ts (full verifications: request through the API, request object, response,
// result, every answer checked):
//
// For each KMS backend (local; Vault transit and AWS KMS through their in-repo test servers in
// this process, so the servers' own CPU is in the client column), two variants:
//
// - `direct_post`: the response in the clear, the yardstick for that backend;
// - `direct_post.jwt`: a P-256 key pair made per request, its private key wrapped by the KMS (the
//   local one: AES-GCM under the master key) into the request's row, then unwrapped by the KMS
//   and the JWE decrypted in the verifier when the response comes: one KMS call more at each end,
//   and one SELECT more.
//
// Per variant and concurrency it prints flows/s, latency, the verifier process's CPU per flow
// from /proc, what that is above the same backend's `direct_post`, PostgreSQL's CPU and
// statements per flow.
// BENCH_FLOWS (300 per point), BENCH_CONCURRENCY (1,8), BENCH_WARMUP_FLOWS (200),
// BENCH_MAX_SECONDS (20 per window), BENCH_ENCRYPTION_BACKENDS (local,vault,aws).
import { serviceKms } from '@attesto/kms-adapter/testing'
import type { Deployment } from './deployments/Deployment.js'
import { type OurServicesVariant, startOurServices } from './deployments/ourServices.js'
import { issuanceFlow, verificationFlow } from './loadgen/oid4vcFlows.js'
import { ProtocolNotes } from './loadgen/ProtocolNotes.js'
import { StepClient } from './loadgen/StepClient.js'
import { measurePoint, type PointMeasurement } from './measure/measurePoint.js'
import { OwnPostgresCluster } from './measure/OwnPostgresCluster.js'
import { encryptionCostTable } from './report/printTables.js'

const list = (value: string | undefined, fallback: string) => (value ?? fallback).split(',').map((v) => v.trim())
const FLOWS = Number(process.env.BENCH_FLOWS ?? 300)
const CONCURRENCIES = list(process.env.BENCH_CONCURRENCY, '1,8').map(Number)
const WARMUP_FLOWS = Number(process.env.BENCH_WARMUP_FLOWS ?? 200)
const MAX_SECONDS = Number(process.env.BENCH_MAX_SECONDS ?? 20)
const BACKENDS = list(process.env.BENCH_ENCRYPTION_BACKENDS, 'local,vault,aws') as ('local' | 'vault' | 'aws')[]
/** The yardstick of a variant: the same backend's `direct_post`. */
const plainOf = (variant: string) => variant.replace('direct_post.jwt', 'direct_post')

async function main(cleanups: (() => Promise<void>)[]) {
  const client = new StepClient({ connections: Math.max(...CONCURRENCIES) * 2 })
  cleanups.push(() => client.close())
  const postgres = await OwnPostgresCluster.start()
  cleanups.push(() => postgres.stop())
  const variants: OurServicesVariant[] = []
  for (const backend of BACKENDS) {
    const kms = await serviceKms(backend)
    cleanups.push(() => kms.stop())
    for (const responseMode of ['direct_post', 'direct_post.jwt'] as const) {
      variants.push({ name: `${kms.label}: ${responseMode}`, responseMode, env: kms.env })
    }
  }
  const notes = new ProtocolNotes()
  const points: PointMeasurement[] = []
  for (const variant of variants) {
    const deployment: Deployment = await startOurServices(client, postgres.url, variant)
    cleanups.push(() => deployment.close())
    const credential = await issuanceFlow(deployment, client, notes)
    for (const concurrency of CONCURRENCIES) {
      const point = await measurePoint({
        deployment,
        kind: 'verification',
        concurrency,
        flows: FLOWS,
        warmupFlows: WARMUP_FLOWS,
        maxSeconds: MAX_SECONDS,
        client,
        postgres,
        flow: () => verificationFlow(deployment, client, notes, credential),
      })
      points.push(point)
      console.log(
        `${variant.name}, ${concurrency} in flight: ${point.flowsPerSecond.toFixed(1)} flows/s, ` +
          `verifier ${point.serviceCpuMillisPerFlow.toFixed(2)} CPU ms/flow`,
      )
    }
    await deployment.close()
    cleanups.pop()
  }
  console.log(`\n${new Date().toISOString().slice(0, 10)}, ${FLOWS} flows per point after ${WARMUP_FLOWS} warm-up\n`)
  console.log(encryptionCostTable(points, plainOf))
  for (const note of notes.list()) console.log(`note: ${note}`)
}

const cleanups: (() => Promise<void>)[] = []
let exitCode = 0
try {
  await main(cleanups)
} catch (error) {
  exitCode = 1
  console.error(error)
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => console.error(error))
}
process.exit(exitCode)
