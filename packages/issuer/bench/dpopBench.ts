// What DPoP adds to an issuance, on the real PostgreSQL and Redis (local KMS):
//   node packages/issuer/dist/bench/dpopBench.js    (after npm run build)
//
// The issuer runs in this process with REDIS_URL (the replay store of several instances), a
// wallet (batchWallet.ts) in a child process. After a warm-up, BENCH_DPOP_FLOWS (default 300) full
// issuances without DPoP and as many with DPoP (a proof at the token endpoint, one with `ath` at
// the credential endpoint; the wallet keeps the server nonce), twice in turn, BENCH_DPOP_IN_FLIGHT
// (default 4) at a time. Per flow: the issuer's CPU (/proc/self/stat) and the flows per second.
// Then the proof check alone: verifyDpopProof over BENCH_DPOP_PROOFS (default 5,000) proofs, CPU
// per proof from /proc/self/stat.
import { randomBytes } from 'node:crypto'
import { verifyDpopProof } from '@attesto/protocol-kit/jose'
import { REDIS_URL, startService } from '@attesto/testing'
import { createIssuerApp } from '../src/app.js'
import { tenantWithIssuer } from '../tests/support/issuerFixture.js'
import { SenderKey } from '../tests/support/senderKeys.js'
import type { WalletRun } from './batchWallet.js'
import { cpuMillisOf } from './measure/processCpu.js'
import { runWallet } from './measure/walletProcess.js'

const FLOWS = Number(process.env.BENCH_DPOP_FLOWS ?? 300)
const IN_FLIGHT = Number(process.env.BENCH_DPOP_IN_FLIGHT ?? 4)
const PROOFS = Number(process.env.BENCH_DPOP_PROOFS ?? 5_000)

const service = await startService('issuer', createIssuerApp, {
  REDIS_URL,
  QUEUE_PREFIX: `bench${randomBytes(4).toString('hex')}`,
  TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
  PROTOCOL_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
})

async function measure(run: WalletRun) {
  const before = cpuMillisOf('self') as number
  const { credentials, millis } = await runWallet(run)
  return {
    cpuPerFlow: ((cpuMillisOf('self') as number) - before) / credentials,
    perSecond: credentials / (millis / 1000),
  }
}

function proofCheckCpu(): number {
  const key = new SenderKey()
  const url = 'https://issuer.example/oid4vci/x/token'
  const proofs = Array.from({ length: PROOFS }, () => key.dpop({ htm: 'POST', htu: url }))
  const before = cpuMillisOf('self') as number
  for (const proof of proofs) verifyDpopProof(proof, { method: 'POST', url, maxAgeSeconds: 60 })
  return ((cpuMillisOf('self') as number) - before) / PROOFS
}

try {
  const { key, issuerId } = await tenantWithIssuer(service, {
    label: 'Transit',
    configurationId: 'pass',
    vct: 'urn:attesto:bench:pass',
    claims: [{ name: 'given_name', type: 'string', required: true }],
  })
  const run = { url: service.http.url, key, issuerId, inFlight: IN_FLIGHT, proofs: 1 }
  await measure({ ...run, flows: 100 })
  await measure({ ...run, flows: 100, dpop: true })
  const plain = []
  const dpop = []
  for (let round = 0; round < 2; round++) {
    plain.push(await measure({ ...run, flows: FLOWS }))
    dpop.push(await measure({ ...run, flows: FLOWS, dpop: true }))
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length
  const [plainCpu, dpopCpu] = [mean(plain.map((m) => m.cpuPerFlow)), mean(dpop.map((m) => m.cpuPerFlow))]
  const [plainRate, dpopRate] = [mean(plain.map((m) => m.perSecond)), mean(dpop.map((m) => m.perSecond))]
  console.log(
    `DPoP per issuance (${2 * FLOWS} flows each way, ${IN_FLIGHT} in flight, real PostgreSQL and Redis, local KMS)`,
  )
  console.log(`  ${''.padEnd(14)}${'flows/s'.padStart(9)}${'issuer CPU ms/flow'.padStart(20)}`)
  console.log(`  ${'Bearer'.padEnd(14)}${plainRate.toFixed(0).padStart(9)}${plainCpu.toFixed(2).padStart(20)}`)
  console.log(`  ${'DPoP'.padEnd(14)}${dpopRate.toFixed(0).padStart(9)}${dpopCpu.toFixed(2).padStart(20)}`)
  console.log(
    `  DPoP adds ${(dpopCpu - plainCpu).toFixed(2)} ms of issuer CPU per flow (×${(dpopCpu / plainCpu).toFixed(2)})`,
  )
  console.log(`  verifyDpopProof alone: ${(proofCheckCpu() * 1000).toFixed(0)} µs CPU per proof (${PROOFS} proofs)`)
} finally {
  await service.close()
}
