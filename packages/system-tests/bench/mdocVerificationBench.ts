// What an mdoc verification costs beside an SD-JWT VC verification, in one run:
//   npm run build && node packages/system-tests/dist/bench/mdocVerificationBench.js
//   (also the last part of `npm run bench -w @attesto/system-tests`; PostgreSQL server binaries installed)
//
// Our issuer and verifier processes (bench/deployments/ourServices.ts, local KMS) on the
// benchmark's own PostgreSQL cluster; the verifier tenant trusts the issuer's DID and a
// development IACA. Two flows against the same verifier process, both direct_post.jwt with a key
// per request:
//
// - `dc+sd-jwt`: the load generator's SD-JWT VC verification (serverCostBench.ts), a credential
//   of our issuer, its degree disclosed with a KB-JWT;
// - `mso_mdoc`: an mDL made by @auth0/mdl under a document signer the IACA certified, two of its
//   four data elements disclosed in a DeviceResponse device-signed over the request's session
//   transcript (OpenID4VP 1.0 B.2.6.1); the verifier checks the x5chain to the IACA, the MSO
//   signature, the digests, the validity and the device signature.
//
// The flows are measured in alternating windows (BENCH_ROUNDS of each), so a change in the
// machine's load falls on both. Per flow: the verifier process's CPU from /proc, PostgreSQL's CPU
// (its processes from /proc) and statements (pg_stat_statements), flows/s and the load
// generator's own CPU (which makes the DeviceResponses).
// BENCH_FLOWS (300 per window), BENCH_ROUNDS (3), BENCH_CONCURRENCY (1,8), BENCH_WARMUP_FLOWS
// (200, then 50 per later window), BENCH_MAX_SECONDS (20 per window).
import { DevelopmentCa } from '@attesto/protocol-kit'
import { Auth0MdocWallet, certifiedIssuer } from '@attesto/testing/wallets'
import { startOurServices } from './deployments/ourServices.js'
import { LICENCE_CLAIMS, mdocVerificationFlow } from './loadgen/mdocPresentation.js'
import { issuanceFlow, verificationFlow } from './loadgen/oid4vcFlows.js'
import { measurePoint, type PointMeasurement } from './measure/measurePoint.js'
import { runBench } from './measure/runBench.js'
import { type FormatComparison, formatCostTable } from './report/printTables.js'

const FLOWS = Number(process.env.BENCH_FLOWS ?? 300)
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '1,8').split(',').map(Number)
const WARMUP_FLOWS = Number(process.env.BENCH_WARMUP_FLOWS ?? 200)
const MAX_SECONDS = Number(process.env.BENCH_MAX_SECONDS ?? 20)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)

await runBench(Math.max(...CONCURRENCIES), async ({ postgres, client, notes, cleanups }) => {
  const iaca = await DevelopmentCa.create({ name: 'Bench Road Authority', country: 'NL' })
  const deployment = await startOurServices(client, postgres.url, {
    name: 'ours',
    responseMode: 'direct_post.jwt',
    trustAnchor: iaca.rootBase64(),
  })
  cleanups.push(() => deployment.close())
  const sdJwtVc = await issuanceFlow(deployment, client, notes)
  const wallet = new Auth0MdocWallet(await certifiedIssuer(iaca))
  const mdoc = await wallet.issue(LICENCE_CLAIMS)
  const flows: [string, () => Promise<void>][] = [
    ['dc+sd-jwt', () => verificationFlow(deployment, client, notes, sdJwtVc)],
    ['mso_mdoc', () => mdocVerificationFlow(deployment, client, notes, wallet, mdoc)],
  ]
  const comparisons: FormatComparison[] = []
  for (const concurrency of CONCURRENCIES) {
    const byFormat = flows.map(([format]) => [format, [] as PointMeasurement[]] as [string, PointMeasurement[]])
    for (let round = 0; round < ROUNDS; round++) {
      for (const [index, [format, flow]] of flows.entries()) {
        const point = await measurePoint({
          deployment: { ...deployment, name: format },
          kind: 'verification',
          concurrency,
          flows: FLOWS,
          warmupFlows: round === 0 ? WARMUP_FLOWS : Math.min(WARMUP_FLOWS, 50),
          maxSeconds: MAX_SECONDS,
          client,
          postgres,
          flow,
        })
        byFormat[index]?.[1].push(point)
        console.log(
          `${format}, ${concurrency} in flight, round ${round + 1}: ${point.flowsPerSecond.toFixed(1)} flows/s, ` +
            `verifier ${point.serviceCpuMillisPerFlow.toFixed(2)} CPU ms/flow, ` +
            `PostgreSQL ${point.postgresCpuMillisPerFlow?.toFixed(2)} ms/flow, ${point.statementsPerFlow?.toFixed(1)} statements/flow`,
        )
      }
    }
    comparisons.push({ concurrency, byFormat })
  }
  console.log(
    `\n${new Date().toISOString().slice(0, 10)}, ${ROUNDS} rounds of ${FLOWS} flows per format and point` +
      ` (${WARMUP_FLOWS} warm-up flows first)\n`,
  )
  console.log(formatCostTable(comparisons))
  for (const note of notes.list()) console.log(`note: ${note}`)
})
