import { startService, VCT } from '@attesto/agent-runtime/testing'
import type { SqlSession } from '@attesto/storage-service'
import { createVerifierApp } from '../src/app.js'
import { HandBuiltWallet } from '../tests/support/HandBuiltWallet.js'

// The server cost of one verification flow on the OID4VP endpoints, in process (real PostgreSQL,
// local KMS): SQL statements per step, counted at the Database object, and the CPU of the
// process per flow without the wallet's own work (signing the KB-JWT, encrypting the response).
// `FLOWS` flows, one after another (default 200).

const flows = Number(process.env.FLOWS ?? 200)
const verifier = await startService('verifier', createVerifierApp)
const database = verifier.runtime.storage.database
let statements = 0
const query = database.query.bind(database)
database.query = ((...args: Parameters<typeof query>) => {
  statements++
  return query(...args)
}) as typeof database.query
const withTenant = database.withTenant.bind(database)
database.withTenant = ((tenantId, callback, options) =>
  withTenant(
    tenantId,
    (session: SqlSession) =>
      callback({
        query: (...args: Parameters<SqlSession['query']>) => {
          statements++
          return session.query(...args)
        },
        exec: (script: string) => session.exec(script),
      } as SqlSession),
    options,
  )) as typeof database.withTenant

const wallet = new HandBuiltWallet()
const credential = wallet.issue(VCT, { given_name: 'Ada', degree: 'MSc' })
const key = (await verifier.call('POST', '/tenants', verifier.adminApiKey, { label: 'Bank' })).body.apiKey
const { verifierId } = (await verifier.call('POST', '/verifiers', key, {})).body
await verifier.call('PUT', `/trusted-issuers/${encodeURIComponent(wallet.issuerDid)}`, key, {})
const query0 = {
  credentials: [{ id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [VCT] }, claims: [{ path: ['degree'] }] }],
}

let walletMicros = 0
const cpu = () => {
  const { user, system } = process.cpuUsage()
  return user + system
}
async function flow(): Promise<number[]> {
  const counts: number[] = []
  let before = statements
  const step = () => {
    counts.push(statements - before)
    before = statements
  }
  const created = await verifier.call('POST', '/presentation-requests', key, { verifierId, dcql: { query: query0 } })
  step()
  const request = await wallet.fetchRequest(created.body.uri)
  step()
  const walletStart = cpu()
  const presentation = wallet.present(request, credential, [credential.disclosures.degree as string])
  const response = await wallet.encrypt(request, {
    vp_token: { diploma: [presentation] },
    state: request.payload.state,
  })
  walletMicros += cpu() - walletStart
  const { postForm } = await import('../tests/support/HandBuiltWallet.js')
  if ((await postForm(request.payload.response_uri, { response })).status !== 200) throw new Error('not verified')
  step()
  const result = await verifier.call('GET', `/presentation-requests/${created.body.requestId}`, key)
  if (result.body.status !== 'verified') throw new Error('not verified')
  step()
  return counts
}

for (let i = 0; i < 20; i++) await flow() // warm up (caches, JIT, prepared plans)
const [create, requestObject, responseStep, read] = await flow()
const start = cpu()
const startTime = performance.now()
walletMicros = 0
for (let i = 0; i < flows; i++) await flow()
const elapsed = performance.now() - startTime
const perFlowMs = (cpu() - start - walletMicros) / 1000 / flows
console.log(
  JSON.stringify(
    {
      statements: { createRequest: create, requestObject, response: responseStep, resultRead: read },
      flows,
      processCpuMsPerFlowWithoutWallet: Number(perFlowMs.toFixed(2)),
      walletCpuMsPerFlow: Number((walletMicros / 1000 / flows).toFixed(2)),
      wallClockMsPerFlow: Number((elapsed / flows).toFixed(1)),
    },
    null,
    2,
  ),
)
await verifier.close()
