import { startService, VCT } from '@attesto/agent-runtime/testing'
import { createVerifierApp, type VerifierRuntime } from '../src/app.js'
import { encryptWithJose, listedKey } from './support/encryptedResponses.js'
import { HandBuiltWallet, postForm, type RequestObject } from './support/HandBuiltWallet.js'

// Requests live for days, so rows written by the previous version are read by this one: there a
// session's `expiresAt` was an ISO string, here it is epoch milliseconds. Such rows answer the
// REST API exactly as before, are answered by wallets, listed, cancelled and expire on time
// (real PostgreSQL).

describe('presentation requests stored by the previous version', () => {
  let verifier: Awaited<ReturnType<typeof startService<VerifierRuntime>>>
  const wallet = new HandBuiltWallet()
  const credential = wallet.issue(VCT, { degree: 'MSc' })
  let key = ''
  let verifierId = ''
  const query = {
    credentials: [{ id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [VCT] }, claims: [{ path: ['degree'] }] }],
  }
  const call = (...args: Parameters<typeof verifier.call>) => verifier.call(...args)
  const status = async (requestId: string) => (await call('GET', `/presentation-requests/${requestId}`, key)).body

  /** A request made now, its row then rewritten to the previous version's shape (`expiresAt` an ISO string). */
  async function earlierRequest(expiresAt?: string) {
    const created = await call('POST', '/presentation-requests', key, { verifierId, dcql: { query } })
    expect(created.status).toBe(201)
    const requestId = created.body.requestId as string
    const iso = expiresAt ?? (created.body.expiresAt as string)
    const { rowCount } = await verifier.runtime.storage.database.query(
      `UPDATE "${verifier.schema}".tenant_records SET value = jsonb_set(value, '{expiresAt}', to_jsonb($2::text))
       WHERE id = $1 AND record_type = 'VerificationSession'`,
      [requestId, iso],
    )
    expect(rowCount).toBe(1)
    return { requestId, uri: created.body.uri as string, expiresAt: iso }
  }
  const answerOf = (req: RequestObject) => ({
    vp_token: { diploma: [wallet.present(req, credential, [credential.disclosures.degree as string])] },
    state: req.payload.state,
  })
  const listed = async (filter: string) =>
    ((await call('GET', `/presentation-requests?limit=100&${filter}`, key)).body.presentationRequests as {
      requestId: string
      expiresAt: string
    }[]) ?? []

  beforeAll(async () => {
    verifier = await startService('verifier', createVerifierApp)
    key = (await call('POST', '/tenants', verifier.adminApiKey, { label: 'Bank' })).body.apiKey
    verifierId = (await call('POST', '/verifiers', key, {})).body.verifierId
    await call('PUT', `/trusted-issuers/${encodeURIComponent(wallet.issuerDid)}`, key, {})
  })
  afterAll(() => verifier?.close())

  it('answers the stored expiry as before, and a wallet can still answer', async () => {
    const { requestId, uri, expiresAt } = await earlierRequest()
    expect(await status(requestId)).toMatchObject({ status: 'pending', expiresAt })
    expect((await listed(`status=pending`)).find((item) => item.requestId === requestId)?.expiresAt).toBe(expiresAt)
    const req = await wallet.fetchRequest(uri)
    expect(req.payload.exp).toBeLessThanOrEqual(Math.floor(Date.parse(expiresAt) / 1000))
    const answered = await postForm(req.payload.response_uri, {
      response: await encryptWithJose(listedKey(req), answerOf(req)),
    })
    expect(answered.status).toBe(200)
    expect(await status(requestId)).toMatchObject({ status: 'verified', expiresAt })
  })

  it('expires on time: listed as expired, no longer cancellable or answerable', async () => {
    const open = await earlierRequest()
    const past = await earlierRequest(new Date(Date.now() - 60_000).toISOString())
    expect(await status(past.requestId)).toMatchObject({ status: 'expired', expiresAt: past.expiresAt })
    const expired = (await listed('status=expired')).map((item) => item.requestId)
    expect(expired).toContain(past.requestId)
    expect(expired).not.toContain(open.requestId)
    expect((await listed('status=pending')).map((item) => item.requestId)).not.toContain(past.requestId)
    expect((await call('POST', `/presentation-requests/${past.requestId}/cancel`, key)).status).toBe(409)
    expect((await call('POST', `/presentation-requests/${open.requestId}/cancel`, key)).body.status).toBe('cancelled')
  })

  it("cancels a deleted verifier's open requests of either shape", async () => {
    const earlier = await earlierRequest()
    const current = await call('POST', '/presentation-requests', key, { verifierId, dcql: { query } })
    const past = await earlierRequest(new Date(Date.now() - 60_000).toISOString())
    const deleted = await call('DELETE', `/verifiers/${verifierId}`, key)
    expect(deleted.body).toMatchObject({ status: 'deleted', cancelledRequests: 2 })
    expect((await status(earlier.requestId)).status).toBe('cancelled')
    expect((await status(current.body.requestId)).status).toBe('cancelled')
    expect((await status(past.requestId)).status).toBe('expired')
  })
})
