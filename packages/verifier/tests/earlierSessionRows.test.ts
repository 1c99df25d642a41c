import { VCT } from '@attesto/testing'
import { DEGREE_QUERY } from './support/diplomaHolder.js'
import { HandBuiltScene } from './support/handBuiltScene.js'

// Requests live for days, so rows written by the previous version are read by this one: there a
// session's `expiresAt` was an ISO string, here it is epoch milliseconds. Such rows answer the
// REST API exactly as before, are answered by wallets, listed, cancelled and expire on time
// (real PostgreSQL).

describe('presentation requests stored by the previous version', () => {
  let scene: HandBuiltScene

  /** A request made now, its row then rewritten to the previous version's shape (`expiresAt` an ISO string). */
  async function earlierRequest(expiresAt?: string) {
    const created = await scene.call('POST', '/presentation-requests', {
      verifierId: scene.verifierId,
      dcql: { query: DEGREE_QUERY },
    })
    const requestId = created.body.requestId as string
    const iso = expiresAt ?? (created.body.expiresAt as string)
    const { rowCount } = await scene.verifier.runtime.storage.database.query(
      `UPDATE "${scene.verifier.schema}".tenant_records SET value = jsonb_set(value, '{expiresAt}', to_jsonb($2::text))
       WHERE id = $1 AND record_type = 'VerificationSession'`,
      [requestId, iso],
    )
    expect(rowCount).toBe(1)
    return { requestId, uri: created.body.uri as string, expiresAt: iso }
  }
  const listed = async (filter: string) =>
    (await scene.call('GET', `/presentation-requests?limit=100&${filter}`)).body.presentationRequests as {
      requestId: string
      expiresAt: string
    }[]

  beforeAll(async () => {
    scene = await HandBuiltScene.start()
  })
  afterAll(() => scene?.close())

  it('answers the stored expiry as before, and a wallet can still answer', async () => {
    const { requestId, uri, expiresAt } = await earlierRequest()
    expect(await scene.result(requestId)).toMatchObject({ status: 'pending', expiresAt })
    expect((await listed('status=pending')).find((item) => item.requestId === requestId)?.expiresAt).toBe(expiresAt)
    const request = await scene.wallet.fetchRequest(uri)
    expect(request.payload.exp).toBeLessThanOrEqual(Math.floor(Date.parse(expiresAt) / 1000))
    const credential = scene.wallet.issue(VCT, { degree: 'MSc' })
    const presentation = scene.wallet.present(request, credential, [credential.disclosures.degree as string])
    const answered = await scene.wallet.respond(request, {
      vp_token: { diploma: [presentation] },
      state: request.payload.state,
    })
    expect(answered.status).toBe(200)
    expect(await scene.result(requestId)).toMatchObject({ status: 'verified', expiresAt })
  })

  it('expires on time: listed as expired, no longer cancellable', async () => {
    const open = await earlierRequest()
    const past = await earlierRequest(new Date(Date.now() - 60_000).toISOString())
    expect(await scene.result(past.requestId)).toMatchObject({ status: 'expired', expiresAt: past.expiresAt })
    const expired = (await listed('status=expired')).map((item) => item.requestId)
    expect(expired).toContain(past.requestId)
    expect(expired).not.toContain(open.requestId)
    expect((await listed('status=pending')).map((item) => item.requestId)).not.toContain(past.requestId)
    expect((await scene.call('POST', `/presentation-requests/${past.requestId}/cancel`)).status).toBe(409)
    expect((await scene.call('POST', `/presentation-requests/${open.requestId}/cancel`)).body.status).toBe('cancelled')
  })

  it("cancels a deleted verifier's open requests of either shape", async () => {
    const earlier = await earlierRequest()
    const { requestId: current } = await scene.request()
    const past = await earlierRequest(new Date(Date.now() - 60_000).toISOString())
    const deleted = await scene.call('DELETE', `/verifiers/${scene.verifierId}`)
    expect(deleted.body).toMatchObject({ status: 'deleted', cancelledRequests: 2 })
    expect((await scene.result(earlier.requestId)).status).toBe('cancelled')
    expect((await scene.result(current)).status).toBe('cancelled')
    expect((await scene.result(past.requestId)).status).toBe('expired')
  })
})
