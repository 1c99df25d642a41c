// What a fresh response-encryption key per request costs a verification, in one run:
//   npm run build && node packages/system-tests/dist/bench/responseEncryptionBench.js
//   (also the last part of `npm run bench -w @attesto/system-tests`; PostgreSQL server binaries installed)
//
// Our issuer and verifier processes (bench/deployments/ourServices.ts) on the benchmark's own
// PostgreSQL cluster, one pair per variant, driven by the same load generator as
// serverCostBench.ts (full verifications: request through the API, request object, response,
// result, every answer checked):
//
// For each KMS backend (local; Vault transit and AWS KMS through their in-repo test servers in
// this process, so the servers' own CPU is in the client column; PKCS#11 on a SoftHSM2 token,
// which runs inside the verifier process), two variants:
//
// - `direct_post`: the response in the clear, the yardstick for that backend;
// - `direct_post.jwt`: a P-256 key pair made per request, its private key wrapped by the KMS (the
//   local one: AES-GCM under the master key) into the request's row, then unwrapped by the KMS
//   and the JWE decrypted in the verifier when the response comes: one KMS call more at each end,
//   and one SELECT more.
//
// The two variants of a backend run side by side and are measured in alternating windows
// (BENCH_ROUNDS of each), so a change in the machine's load falls on both: on a shared machine
// the verifier's CPU per flow moves by milliseconds between windows. Per backend and concurrency
// it prints the verifier process's CPU per flow from /proc (median of the rounds), what
// direct_post.jwt adds (median of the rounds' differences, and their range), and PostgreSQL's
// CPU and statements per flow.
// BENCH_FLOWS (300 per window), BENCH_ROUNDS (3), BENCH_CONCURRENCY (1,8), BENCH_WARMUP_FLOWS
// (200, then 50 per later window), BENCH_MAX_SECONDS (20 per window), BENCH_ENCRYPTION_BACKENDS
// (local,vault,aws, and pkcs11 where SoftHSM2 is installed).
import { serviceKms, softHsmInstalled } from '@attesto/test-servers'
import { startOurServices } from './deployments/ourServices.js'
import { issuanceFlow, verificationFlow } from './loadgen/oid4vcFlows.js'
import { measurePoint } from './measure/measurePoint.js'
import { runBench } from './measure/runBench.js'
import { type EncryptionComparison, encryptionCostTable } from './report/printTables.js'

const list = (value: string | undefined, fallback: string) => (value ?? fallback).split(',').map((v) => v.trim())
const FLOWS = Number(process.env.BENCH_FLOWS ?? 300)
const CONCURRENCIES = list(process.env.BENCH_CONCURRENCY, '1,8').map(Number)
const WARMUP_FLOWS = Number(process.env.BENCH_WARMUP_FLOWS ?? 200)
const MAX_SECONDS = Number(process.env.BENCH_MAX_SECONDS ?? 20)
const BACKENDS = list(
  process.env.BENCH_ENCRYPTION_BACKENDS,
  softHsmInstalled ? 'local,vault,aws,pkcs11' : 'local,vault,aws',
) as ('local' | 'vault' | 'aws' | 'pkcs11')[]
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)

await runBench(Math.max(...CONCURRENCIES), async ({ postgres, client, notes, cleanups }) => {
  const comparisons: EncryptionComparison[] = []
  for (const backend of BACKENDS) {
    const kms = await serviceKms(backend)
    cleanups.push(() => kms.stop())
    // Both variants run side by side, so the machine's changing load falls on both alike.
    const variants = await Promise.all(
      (['direct_post', 'direct_post.jwt'] as const).map(async (responseMode) => {
        const name = `${kms.label}: ${responseMode}`
        const deployment = await startOurServices(client, postgres.url, { name, responseMode, env: kms.env })
        cleanups.push(() => deployment.close())
        return { deployment, credential: await issuanceFlow(deployment, client, notes) }
      }),
    )
    for (const concurrency of CONCURRENCIES) {
      const comparison: EncryptionComparison = { backend: kms.label, concurrency, plain: [], encrypted: [] }
      for (let round = 0; round < ROUNDS; round++) {
        for (const [index, { deployment, credential }] of variants.entries()) {
          const point = await measurePoint({
            deployment,
            kind: 'verification',
            concurrency,
            flows: FLOWS,
            warmupFlows: round === 0 ? WARMUP_FLOWS : Math.min(WARMUP_FLOWS, 50),
            maxSeconds: MAX_SECONDS,
            client,
            postgres,
            flow: () => verificationFlow(deployment, client, notes, credential),
          })
          ;(index === 0 ? comparison.plain : comparison.encrypted).push(point)
          console.log(
            `${deployment.name}, ${concurrency} in flight, round ${round + 1}: ` +
              `${point.flowsPerSecond.toFixed(1)} flows/s, verifier ${point.serviceCpuMillisPerFlow.toFixed(2)} CPU ms/flow`,
          )
        }
      }
      comparisons.push(comparison)
    }
    for (const { deployment } of variants) await deployment.close()
  }
  console.log(
    `\n${new Date().toISOString().slice(0, 10)}, ${ROUNDS} rounds of ${FLOWS} flows per variant and point` +
      ` (${WARMUP_FLOWS} warm-up flows first)\n`,
  )
  console.log(encryptionCostTable(comparisons))
  for (const note of notes.list()) console.log(`note: ${note}`)
})
