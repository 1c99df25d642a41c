// Credential format benchmark: the issuer's CPU per credential for an SD-JWT VC and an ISO mdoc.
//   npm run bench -w @attesto/issuer    (after npm run build; runs after the status list benchmark)
//   node packages/issuer/dist/bench/credentialFormatBench.js    (this one alone)
//
// Three configurations with the same eight claims: an SD-JWT VC without and with a status list
// entry, and an mdoc; the issuer has a certificate from a development CA, so both formats are
// signed under the same X.509 chain (x5c, x5chain) by the local KMS.
//
// - creation: the credential alone (`issueCredential`, what the credential endpoint calls), in
//   this process, BENCH_FORMAT_CREATIONS times after as many to warm up: CPU per credential
//   (process.cpuUsage);
// - whole flows: the issuer as its own process (`dist/src/server.js`, rate limiters on, logging
//   at info as in production), every format warmed up with BENCH_FORMAT_WARM_UP flows, then
//   BENCH_FORMAT_FLOWS flows per format, BENCH_FORMAT_IN_FLIGHT in flight, in two phases (offer
//   and token, then nonce and credential): the issuer process's CPU (/proc/<pid>/stat) per credential.
import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { DevelopmentCa } from '@attesto/protocol-kit'
import { PostgresDatabase } from '@attesto/storage-service'
import { DATABASE_URL, freePort, startService } from '@attesto/testing'
import { createIssuerApp } from '../src/app.js'
import { issueCredential } from '../src/protocol/issueCredential.js'
import { HandWallet, parseOffer } from '../tests/support/HandWallet.js'
import { MDL, MDL_CLAIMS, MDL_CONFIGURATION, REGISTRY } from '../tests/support/mdocFixture.js'

const CREATIONS = Number(process.env.BENCH_FORMAT_CREATIONS ?? 2_000)
const FLOWS = Number(process.env.BENCH_FORMAT_FLOWS ?? 1_000)
const WARM_UP = Number(process.env.BENCH_FORMAT_WARM_UP ?? 300)
const IN_FLIGHT = Number(process.env.BENCH_FORMAT_IN_FLIGHT ?? 8)
const server = fileURLToPath(new URL('../src/server.js', import.meta.url))
const TICK_MILLIS = 1000 / (Number(execFileSync('getconf', ['CLK_TCK']).toString()) || 100)

/** User plus system CPU time of a process in milliseconds (fields 14 and 15 of /proc/<pid>/stat). */
function cpuMillis(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * TICK_MILLIS
}

/** Runs `task` for 0 … count-1 with IN_FLIGHT in flight. */
async function inFlight(count: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) await task(next++)
    }),
  )
}

/** A REST call with a bearer key; throws unless the answer has `status`. */
async function rest(base: string, method: string, path: string, key: string, body: unknown, status = 200) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  // biome-ignore lint/suspicious/noExplicitAny: answers are read loosely here
  const answer = (await response.json()) as Record<string, any>
  if (response.status !== status) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`)
  return answer
}

/** At `base`: a tenant, an issuer with a document-signer certificate, and the three configurations. */
async function setUp(base: string, admin: string) {
  const key = (await rest(base, 'POST', '/tenants', admin, { label: 'Bench' }, 201)).apiKey as string
  const issuerId = (await rest(base, 'POST', '/issuers', key, {}, 201)).issuerId as string
  const { csr } = await rest(base, 'POST', `/issuers/${issuerId}/certificate-signing-request`, key, {
    commonName: 'Bench Authority',
    country: 'NL',
    mdocDocumentSigner: true,
  })
  const ca = await DevelopmentCa.create({ name: 'Bench', country: 'NL' })
  await rest(base, 'PUT', `/issuers/${issuerId}/certificate`, key, { chain: await ca.issue(csr) })
  // The mdoc's claims as SD-JWT VC claims: dates as dates, everything else as JSON has it.
  const flat = { ...MDL_CLAIMS[MDL], ...MDL_CLAIMS[REGISTRY] }
  const typeOf = (name: string, value: unknown) => (name === 'birth_date' ? 'date' : typeof value)
  const claims = Object.entries(flat).map(([name, value]) => ({ name, type: typeOf(name, value), required: true }))
  const sdJwt = { vct: 'urn:attesto:bench:licence', claims }
  const configurations = [
    { id: 'sd-jwt', label: 'dc+sd-jwt, no status', body: { ...sdJwt, revocable: false }, claims: flat },
    { id: 'sd-jwt-status', label: 'dc+sd-jwt, status list', body: sdJwt, claims: flat },
    { id: 'mdoc', label: 'mso_mdoc', body: MDL_CONFIGURATION, claims: MDL_CLAIMS },
  ]
  for (const { id, body } of configurations) {
    await rest(base, 'PUT', `/issuers/${issuerId}/credential-configurations/${id}`, key, body)
  }
  return { base, key, issuerId, configurations }
}

type Setup = Awaited<ReturnType<typeof setUp>>
type Configuration = Setup['configurations'][number]

/** CPU ms per credential of `issueCredential` alone, in this process (no status entry: that is the flows' part). */
async function creationCpu(runtime: Awaited<ReturnType<typeof createIssuerApp>>, setup: Setup, of: Configuration) {
  const issuer = await runtime.issuers.get(setup.issuerId)
  const configuration = issuer.profile.configurations[of.id]
  if (!configuration) throw new Error(`no configuration ${of.id}`)
  const holder = { jwk: new HandWallet().jwk }
  const create = () => issueCredential(issuer, configuration, { claims: of.claims }, holder)
  for (let index = 0; index < CREATIONS; index++) await create()
  const before = process.cpuUsage()
  for (let index = 0; index < CREATIONS; index++) await create()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1000 / CREATIONS
}

/** Offer and token, then nonce and credential, for `count` flows: the issuer process's CPU ms per flow in each phase. */
async function flowCpu(pid: number, setup: Setup, configuration: Configuration, count: number) {
  const wallet = new HandWallet()
  const redeemed: { credentialIssuer: string; accessToken: string }[] = []
  const start = cpuMillis(pid)
  await inFlight(count, async (index) => {
    const offer = await rest(
      setup.base,
      'POST',
      '/offers',
      setup.key,
      { issuerId: setup.issuerId, credentialConfigurationId: configuration.id, claims: configuration.claims },
      201,
    )
    const { credentialIssuer, code } = parseOffer(offer.uri)
    const token = await wallet.redeem(credentialIssuer, code)
    redeemed[index] = { credentialIssuer, accessToken: token.body.access_token }
  })
  const middle = cpuMillis(pid)
  await inFlight(count, async (index) => {
    const { credentialIssuer, accessToken } = redeemed[index] as (typeof redeemed)[number]
    const answer = await wallet.credential(credentialIssuer, accessToken, {
      credential_configuration_id: configuration.id,
      proofs: { jwt: [wallet.proof(credentialIssuer, await wallet.nonce(credentialIssuer))] },
    })
    if (answer.status !== 200) throw new Error(`credential: ${answer.status} ${JSON.stringify(answer.body)}`)
  })
  return { offerAndToken: (middle - start) / count, credential: (cpuMillis(pid) - middle) / count }
}

/** The issuer as its own process on a fresh schema; `close()` stops it and drops the schema. */
async function issuerProcess() {
  const admin = `admin-${randomBytes(16).toString('hex')}`
  const schema = `bench_formats_${randomBytes(3).toString('hex')}`
  const port = await freePort()
  const unlimited = '100000000'
  const child = spawn(process.execPath, [server], {
    env: {
      ...process.env,
      ...{ ROLE: 'issuer', PORT: String(port), DATABASE_URL, DATABASE_SCHEMA: schema, ADMIN_API_KEY: admin },
      KMS_MASTER_KEY: randomBytes(32).toString('base64'),
      TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: unlimited,
      PROTOCOL_REQUESTS_PER_MINUTE_PER_ADDRESS: unlimited,
      API_REQUESTS_PER_MINUTE_PER_TENANT: unlimited,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const base = `http://127.0.0.1:${port}`
  const ready = () =>
    fetch(`${base}/ready`).then(
      (response) => response.ok,
      () => false,
    )
  for (let tries = 0; !(await ready()); tries++) {
    if (tries > 600 || child.exitCode !== null) throw new Error('the issuer did not become ready')
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return {
    pid: child.pid as number,
    base,
    admin,
    async close() {
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
      const database = new PostgresDatabase({ connectionString: DATABASE_URL, maxConnections: 1 })
      await database.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await database.close()
    },
  }
}

const ms = (value: number, width: number) => `${value.toFixed(2).padStart(width)} ms`
const created = new Map<string, number>()
const inProcess = await startService('issuer', createIssuerApp)
try {
  const setup = await setUp(inProcess.http.url, inProcess.adminApiKey)
  for (const configuration of setup.configurations) {
    created.set(configuration.id, await creationCpu(inProcess.runtime, setup, configuration))
  }
} finally {
  await inProcess.close()
}
const issuer = await issuerProcess()
try {
  const setup = await setUp(issuer.base, issuer.admin)
  console.log(`Credential formats: CPU ms per credential (creation alone: ${CREATIONS} in process; whole flows:`)
  console.log(`the issuer process, ${FLOWS} per format after ${WARM_UP} of each to warm up, ${IN_FLIGHT} in flight)`)
  console.log('  format                   creation alone  offer+token  nonce+credential  whole flow')
  // Every format warms up before any is measured: the code they share is then equally warm.
  for (const configuration of setup.configurations) await flowCpu(issuer.pid, setup, configuration, WARM_UP)
  for (const configuration of setup.configurations) {
    const flow = await flowCpu(issuer.pid, setup, configuration, FLOWS)
    console.log(
      `  ${configuration.label.padEnd(24)} ${ms(created.get(configuration.id) ?? 0, 11)}  ${ms(flow.offerAndToken, 8)}  ${ms(flow.credential, 13)}  ${ms(flow.offerAndToken + flow.credential, 7)}`,
    )
  }
} finally {
  await issuer.close()
}
