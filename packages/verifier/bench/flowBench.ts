// Full issuance flows/s and verifications/s, with p50/p95/p99 per HTTP step, in one run:
//   npm run bench -w @attesto/verifier       (after npm run build; needs PostgreSQL on 127.0.0.1:5432)
//
// - ours: the issuer and the verifier services, one process each, on the real PostgreSQL (one
//   schema per role) with the local KMS, driven through their REST APIs;
// - baseline: Credo on its own, one process per role, in-memory storage and node:crypto KMS
//   (bench/baselineServer.ts), driven through the fewest calls it needs.
// Holders are Credo agents in this process (in-memory, the same for both), FLOW_CONCURRENCY flows
// in flight. Times are measured by the client, per HTTP request of the flow.
import { randomBytes } from 'node:crypto'
import { baselineHolderAgent, DATABASE_URL, freePort, redeemOffer, VCT } from '@attesto/agent-runtime/testing'
import { PostgresDatabase } from '@attesto/storage-service'
import { ServiceProcess } from '../tests/support/serviceProcess.js'

const FLOWS = Number(process.env.BENCH_FLOWS ?? 400)
const CONCURRENCY = Number(process.env.FLOW_CONCURRENCY ?? 8)

type Holder = Awaited<ReturnType<typeof baselineHolderAgent>>

/** Client-side latencies by step name. */
class StepTimes {
  private readonly samples = new Map<string, number[]>()

  public add(step: string, millis: number) {
    const list = this.samples.get(step) ?? []
    list.push(millis)
    this.samples.set(step, list)
  }

  public async time<T>(step: string, call: () => Promise<T>): Promise<T> {
    const started = performance.now()
    try {
      return await call()
    } finally {
      this.add(step, performance.now() - started)
    }
  }

  public clear() {
    this.samples.clear()
  }

  public report(): string[] {
    const percentile = (sorted: number[], p: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
    return [...this.samples.entries()].map(([step, values]) => {
      const sorted = [...values].sort((a, b) => a - b)
      const [p50, p95, p99] = [50, 95, 99].map((p) => percentile(sorted, p).toFixed(1).padStart(7))
      return `    ${step.padEnd(34)} p50 ${p50} ms  p95 ${p95} ms  p99 ${p99} ms  (${values.length})`
    })
  }
}

/** The step of an OID4VCI/OID4VP request, from its method and path. */
function protocolStep(method: string, url: string): string {
  const path = new URL(url).pathname
  if (path.includes('/.well-known/openid-credential-issuer')) return 'GET issuer metadata'
  if (path.includes('/.well-known/oauth-authorization-server')) return 'GET authorisation-server metadata'
  if (path.includes('/.well-known/')) return `GET ${path.slice(path.indexOf('/.well-known/'))}`
  const last = path.split('/').at(-1) ?? ''
  if (path.includes('/offers/')) return 'GET credential offer'
  return `${method} ${last.length > 20 ? 'request object' : last}`
}

function timedFetch(times: StepTimes): typeof fetch {
  return (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    return times.time(protocolStep(init?.method ?? 'GET', url), () => fetch(input, init))
  }
}

interface Deployment {
  name: string
  /** A new offer's URI. */
  offer(times: StepTimes): Promise<string>
  /** A new request's id and URI. */
  request(times: StepTimes): Promise<{ requestId: string; uri: string }>
  /** The request's status after the wallet answered. */
  status(times: StepTimes, requestId: string): Promise<string>
  /** What the service processes printed. */
  output(): string
  close(): Promise<void>
}

async function post(url: string, key: string | undefined, body: unknown) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  })
  // biome-ignore lint/suspicious/noExplicitAny: loosely read response bodies
  const json = (await response.json()) as any
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${JSON.stringify(json)}`)
  return json
}

async function get(url: string, key?: string) {
  const response = await fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {} })
  // biome-ignore lint/suspicious/noExplicitAny: loosely read response bodies
  return (await response.json()) as any
}

async function ours(): Promise<Deployment> {
  const admin = `admin-${randomBytes(16).toString('hex')}`
  const schemas = { issuer: `bench_issuer_${randomBytes(3).toString('hex')}`, verifier: '' }
  schemas.verifier = schemas.issuer.replace('issuer', 'verifier')
  const [issuer, verifier] = (await Promise.all(
    (['issuer', 'verifier'] as const).map(async (role) =>
      new ServiceProcess(role, await freePort(), {
        DATABASE_URL,
        DATABASE_SCHEMA: schemas[role],
        KMS_MASTER_KEY: randomBytes(32).toString('base64'),
        ADMIN_API_KEY: admin,
      }).start(),
    ),
  )) as [ServiceProcess, ServiceProcess]

  const issuerKey = (await post(`${issuer.url}/tenants`, admin, { label: 'University' })).apiKey
  const { issuerId, did } = await post(`${issuer.url}/issuers`, issuerKey, { didMethod: 'key' })
  const configuration = await fetch(`${issuer.url}/issuers/${issuerId}/credential-configurations/diploma`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${issuerKey}` },
    body: JSON.stringify({
      vct: VCT,
      claims: [
        { name: 'given_name', type: 'string', required: true },
        { name: 'degree', type: 'string', required: true },
      ],
    }),
  })
  if (!configuration.ok) throw new Error(`configuration: ${configuration.status}`)
  const verifierKey = (await post(`${verifier.url}/tenants`, admin, { label: 'Bank' })).apiKey
  const { verifierId } = await post(`${verifier.url}/verifiers`, verifierKey, {})
  await fetch(`${verifier.url}/trusted-issuers/${encodeURIComponent(did)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${verifierKey}` },
    body: '{}',
  })
  const query = {
    credentials: [{ id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [VCT] }, claims: [{ path: ['degree'] }] }],
  }
  return {
    name: 'ours',
    output: () => issuer.output + verifier.output,
    offer: async (times) =>
      (
        await times.time('POST /offers (REST)', () =>
          post(`${issuer.url}/offers`, issuerKey, {
            issuerId,
            credentialConfigurationId: 'diploma',
            claims: { given_name: 'Ada', degree: 'MSc' },
          }),
        )
      ).uri,
    request: (times) =>
      times.time('POST /presentation-requests (REST)', () =>
        post(`${verifier.url}/presentation-requests`, verifierKey, { verifierId, dcql: { query } }),
      ),
    status: async (times, requestId) =>
      (
        await times.time('GET /presentation-requests/:id (REST)', () =>
          get(`${verifier.url}/presentation-requests/${requestId}`, verifierKey),
        )
      ).status,
    async close() {
      await issuer.kill()
      await verifier.kill()
      const database = new PostgresDatabase({ connectionString: DATABASE_URL, maxConnections: 1 })
      for (const schema of Object.values(schemas)) await database.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await database.close()
    },
  }
}

async function baseline(): Promise<Deployment> {
  const script = 'packages/verifier/dist/bench/baselineServer.js'
  const [issuer, verifier] = (await Promise.all(
    (['issuer', 'verifier'] as const).map(async (role) =>
      new ServiceProcess(role, await freePort(), {}, script).start(),
    ),
  )) as [ServiceProcess, ServiceProcess]
  return {
    name: 'baseline (Credo alone)',
    output: () => issuer.output + verifier.output,
    offer: async (times) =>
      (
        await times.time('POST /offers', () =>
          post(`${issuer.url}/offers`, undefined, { claims: { given_name: 'Ada', degree: 'MSc' } }),
        )
      ).uri,
    request: (times) =>
      times.time('POST /presentation-requests', () => post(`${verifier.url}/presentation-requests`, undefined, {})),
    status: async (times, requestId) =>
      (
        await times.time('GET /presentation-requests/:id', () =>
          get(`${verifier.url}/presentation-requests/${requestId}`),
        )
      ).status,
    async close() {
      await issuer.kill()
      await verifier.kill()
    },
  }
}

/** Runs `count` flows with CONCURRENCY in flight, flow i on holder i % CONCURRENCY; flows per second. */
async function run(count: number, holders: Holder[], flow: (holder: Holder) => Promise<void>) {
  let next = 0
  const started = performance.now()
  await Promise.all(
    holders.map(async (holder) => {
      while (next++ < count) await flow(holder)
    }),
  )
  return count / ((performance.now() - started) / 1000)
}

async function measure(deployment: Deployment) {
  const times = new StepTimes()
  const holders = await Promise.all(
    Array.from({ length: CONCURRENCY }, () => baselineHolderAgent({ fetch: timedFetch(times) })),
  )
  const issue = async (holder: Holder) => {
    for (const { record } of await redeemOffer(holder.agent, await deployment.offer(times))) {
      await holder.agent.sdJwtVc.store({ record: record as never })
    }
  }
  const verify = async (holder: Holder) => {
    const { requestId, uri } = await deployment.request(times)
    const wallet = holder.agent.openid4vc.holder
    const resolved = await wallet.resolveOpenId4VpAuthorizationRequest(uri)
    await wallet.acceptOpenId4VpAuthorizationRequest({
      authorizationRequestPayload: resolved.authorizationRequestPayload,
      dcql: { credentials: wallet.selectCredentialsForDcqlRequest(resolved.dcql?.queryResult as never) },
    })
    const status = await deployment.status(times, requestId)
    if (status !== 'verified') throw new Error(`${deployment.name}: presentation ${requestId} is ${status}`)
  }
  try {
    // Warm-up: every holder receives one credential (kept for the verifications) and presents once.
    for (const holder of holders) await issue(holder)
    for (const holder of holders) await verify(holder)
    times.clear()
    const issuances = await run(FLOWS, holders, issue)
    const issuanceSteps = times.report()
    times.clear()
    const verifications = await run(FLOWS, holders, verify)
    return { issuances, verifications, issuanceSteps, verificationSteps: times.report() }
  } finally {
    for (const holder of holders) await holder.close()
  }
}

async function main() {
  console.log(`${FLOWS} issuance flows, then ${FLOWS} verification flows, ${CONCURRENCY} in flight, per deployment\n`)
  const results: Record<string, Awaited<ReturnType<typeof measure>>> = {}
  for (const create of [ours, baseline]) {
    const deployment = await create()
    try {
      const result = await measure(deployment).catch((error) => {
        console.error(deployment.output())
        throw error
      })
      results[deployment.name] = result
      console.log(`${deployment.name}`)
      console.log(`  issuance flows/s ${result.issuances.toFixed(1)}`)
      for (const line of result.issuanceSteps) console.log(line)
      console.log(`  verifications/s ${result.verifications.toFixed(1)}`)
      for (const line of result.verificationSteps) console.log(line)
      console.log()
    } finally {
      await deployment.close()
    }
  }
  const [ourResult, baseResult] = Object.values(results)
  if (ourResult && baseResult) {
    console.log(
      `ours / baseline: issuance ${(ourResult.issuances / baseResult.issuances).toFixed(2)}, verification ${(ourResult.verifications / baseResult.verifications).toFixed(2)}`,
    )
  }
}

await main()
