// What the same-device flow adds to a verification, in one process (after npm run build):
//   node packages/verifier/dist/bench/sameDeviceBench.js
//
// The verifier in process on the real PostgreSQL (127.0.0.1:5432) and a local KMS; the hand-built
// wallet (node:crypto, jose) answers in plain direct_post, one flow at a time. Per flow: create
// the request (same-device: + the verifier's redirect URIs read), fetch the request object, post
// the answer (same-device: the response code made in the deciding UPDATE), and read the result
// (cross-device: GET, one SELECT; same-device: the redemption, one conditional UPDATE).
import { startService, VCT } from '@attesto/testing'
import { HandBuiltWallet } from '@attesto/testing/wallets'
import { createVerifierApp } from '../src/app.js'

const FLOWS = Number(process.env.BENCH_SAME_DEVICE_FLOWS ?? 300)
const query = {
  credentials: [{ id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [VCT] }, claims: [{ path: ['degree'] }] }],
}

// One client address and one tenant make every request: the rate limits are off.
const service = await startService('verifier', createVerifierApp, {
  PROTOCOL_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
  API_REQUESTS_PER_MINUTE_PER_TENANT: '0',
})
const wallet = new HandBuiltWallet()
const credential = wallet.issue(VCT, { degree: 'MSc' })
const key = (await service.call('POST', '/tenants', service.adminApiKey, { label: 'Bench' })).body.apiKey as string
const call = (method: string, path: string, body?: unknown) => service.call(method, path, key, body)
const verifierId = (await call('POST', '/verifiers', {})).body.verifierId as string
await call('PUT', `/trusted-issuers/${encodeURIComponent(wallet.issuerDid)}`, {})
await call('PUT', `/verifiers/${verifierId}/redirect-uris`, { redirectUris: ['https://bank.example/verify/done'] })

const steps = ['create', 'request object', 'answer', 'result'] as const
type Timings = Record<(typeof steps)[number], number[]>

async function flow(sameDevice: boolean, timings: Timings) {
  let started = performance.now()
  const lap = (step: (typeof steps)[number]) => {
    const now = performance.now()
    timings[step].push(now - started)
    started = now
  }
  const created = await call('POST', '/presentation-requests', {
    verifierId,
    dcql: { query },
    responseMode: 'direct_post',
    ...(sameDevice ? { flow: 'same_device' } : {}),
  })
  lap('create')
  const request = await wallet.fetchRequest(created.body.uri)
  lap('request object')
  const presentation = wallet.present(request, credential, [credential.disclosures.degree as string])
  const answered = await wallet.respond(request, {
    vp_token: { diploma: [presentation] },
    state: request.payload.state,
  })
  lap('answer')
  const id = created.body.requestId as string
  const result = sameDevice
    ? await call('POST', `/presentation-requests/${id}/result`, {
        responseCode: String(answered.body.redirect_uri).split('#response_code=')[1],
      })
    : await call('GET', `/presentation-requests/${id}`)
  lap('result')
  if (result.body.status !== 'verified') throw new Error(`flow not verified: ${JSON.stringify(result.body)}`)
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0
try {
  // Warm-up, then the two flows interleaved so that both see the same machine.
  for (let i = 0; i < 20; i++) await flow(i % 2 === 0, { create: [], 'request object': [], answer: [], result: [] })
  const runs = { cross: {} as Timings, same: {} as Timings }
  for (const timings of Object.values(runs)) for (const step of steps) timings[step] = []
  for (let i = 0; i < FLOWS; i++) {
    await flow(false, runs.cross)
    await flow(true, runs.same)
  }
  console.log(`Same-device versus cross-device, ${FLOWS} flows each, median milliseconds per step (one flow at a time)`)
  console.log(`  ${'step'.padEnd(16)}${'cross-device'.padStart(14)}${'same-device'.padStart(14)}`)
  for (const step of steps) {
    const [cross, same] = [median(runs.cross[step]), median(runs.same[step])]
    console.log(`  ${step.padEnd(16)}${cross.toFixed(2).padStart(14)}${same.toFixed(2).padStart(14)}`)
  }
  const total = (timings: Timings) => steps.reduce((sum, step) => sum + median(timings[step]), 0)
  console.log(
    `  ${'flow'.padEnd(16)}${total(runs.cross).toFixed(2).padStart(14)}${total(runs.same).toFixed(2).padStart(14)}`,
  )
} finally {
  await service.close()
}
