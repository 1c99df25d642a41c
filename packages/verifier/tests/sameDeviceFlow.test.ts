import { createHash, randomBytes } from 'node:crypto'
import { PostgresDatabase } from '@attesto/storage-service'
import { RoundRobinProxy } from '@attesto/test-servers'
import { DATABASE_URL, freePort, VCT } from '@attesto/testing'
import { HandBuiltWallet, type RequestObject } from '@attesto/testing/wallets'
import { ServiceProcess } from './support/serviceProcess.js'

// The same-device flow (OID4VP 1.0 §8.2, §14.2; HAIP 1.0 §5) across two verifier processes on one
// storage and KMS: the wallet (built by hand with jose) is answered the frontend's redirect URI
// with a response code, and the result is released only to that code, once, whichever instance
// is asked. The wallet's calls go through a round-robin balancer; the REST calls name their
// instance, so that the request is made on one and its result redeemed on the other.

const FRONTEND = 'https://bank.example/verify/done'
const DEV_FRONTEND = 'http://localhost:5173/done'
const CODE_IN_FRAGMENT = /^(.*)#response_code=([A-Za-z0-9_-]{43})$/

describe('same-device flow across two verifier instances', () => {
  const schema = `samedevice_${randomBytes(3).toString('hex')}`
  const adminApiKey = `admin-${randomBytes(16).toString('hex')}`
  const proxy = new RoundRobinProxy()
  let instances: ServiceProcess[] = []
  const wallet = new HandBuiltWallet()
  const credential = wallet.issue(VCT, { given_name: 'Ada', degree: 'MSc' })
  let key = ''
  let verifierId = ''
  const database = new PostgresDatabase({ connectionString: DATABASE_URL, maxConnections: 2 })

  /** A REST call to instance `instance`: status, body, and the body's text (to show what it does not hold). */
  async function call(instance: number, method: string, path: string, body?: unknown, bearer = key) {
    const response = await fetch(`${instances[instance]?.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    const text = await response.text()
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected loosely in tests
    return { status: response.status, body: JSON.parse(text) as any, text }
  }

  const degreeQuery = {
    credentials: [{ id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [VCT] }, claims: [{ path: ['degree'] }] }],
  }

  /** A request made on `instance`, and the request object the wallet fetched through the balancer. */
  async function request(instance: number, extra: Record<string, unknown>) {
    const created = await call(instance, 'POST', '/presentation-requests', {
      verifierId,
      dcql: { query: degreeQuery },
      ...extra,
    })
    expect(created.status).toBe(201)
    return {
      requestId: created.body.requestId as string,
      created: created.body,
      request: await wallet.fetchRequest(created.body.uri),
    }
  }

  const answer = (req: RequestObject) =>
    wallet.respond(req, {
      vp_token: { diploma: [wallet.present(req, credential, [credential.disclosures.degree as string])] },
      state: req.payload.state,
    })

  /** The redirect URI and response code the wallet was answered. */
  function redirectOf(answered: { status: number; body: Record<string, string> }) {
    expect(answered.status).toBe(200)
    const [, uri, code] = String(answered.body.redirect_uri).match(CODE_IN_FRAGMENT) ?? []
    expect(uri).toBeDefined()
    return { uri: uri as string, code: code as string }
  }

  const redeem = (instance: number, requestId: string, responseCode: string) =>
    call(instance, 'POST', `/presentation-requests/${requestId}/result`, { responseCode })

  beforeAll(async () => {
    await proxy.listen()
    const env = {
      DATABASE_URL,
      DATABASE_SCHEMA: schema,
      KMS_MASTER_KEY: randomBytes(32).toString('base64'),
      ADMIN_API_KEY: adminApiKey,
      PUBLIC_BASE_URL: proxy.url,
    }
    instances = await Promise.all(
      [await freePort(), await freePort()].map((port) => new ServiceProcess('verifier', port, env).start()),
    )
    proxy.upstreams = instances.map((instance) => instance.url)
    key = (await call(0, 'POST', '/tenants', { label: 'Bank' }, adminApiKey)).body.apiKey
    verifierId = (await call(1, 'POST', '/verifiers', {})).body.verifierId
    await call(0, 'PUT', `/trusted-issuers/${encodeURIComponent(wallet.issuerDid)}`, {})
  }, 120_000)

  afterAll(async () => {
    for (const instance of instances) await instance.kill()
    await proxy.close()
    await database.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await database.close()
  })

  it("keeps a verifier's redirect URIs: exact https pages, http only for localhost while the verifier runs on http", async () => {
    for (const [uri, problem] of [
      ['http://bank.example/done', /must be https/],
      ['https://bank.example/done#step', /fragment/],
      ['https://user:secret@bank.example/done', /user information/],
      ['javascript:alert(1)', /must be https/],
      ['/done', /absolute URL/],
    ] as const) {
      const refused = await call(1, 'PUT', `/verifiers/${verifierId}/redirect-uris`, { redirectUris: [uri] })
      expect({ uri, status: refused.status, code: refused.body.error.code }).toEqual({
        uri,
        status: 400,
        code: 'invalid_request',
      })
      expect(refused.body.error.message).toMatch(problem)
    }
    expect((await call(1, 'PUT', `/verifiers/${verifierId}/redirect-uris`, { redirectUris: [] })).status).toBe(400)
    expect((await call(1, 'PUT', '/verifiers/nope/redirect-uris', { redirectUris: [FRONTEND] })).status).toBe(404)
    const stored = await call(1, 'PUT', `/verifiers/${verifierId}/redirect-uris`, {
      redirectUris: [FRONTEND, DEV_FRONTEND],
    })
    expect(stored).toMatchObject({ status: 200, body: { verifierId, redirectUris: [FRONTEND, DEV_FRONTEND] } })
    expect((await call(0, 'GET', `/verifiers/${verifierId}/redirect-uris`)).body).toEqual(stored.body)
  })

  it('refuses a same-device request to a page the verifier does not list (no open redirect)', async () => {
    const make = (extra: Record<string, unknown>, verifier = verifierId) =>
      call(0, 'POST', '/presentation-requests', { verifierId: verifier, dcql: { query: degreeQuery }, ...extra })
    const elsewhere = await make({ flow: 'same_device', redirectUri: 'https://evil.example/done' })
    expect([elsewhere.status, elsewhere.body.error.code]).toEqual([400, 'redirect_uri_not_allowed'])
    const lookalike = await make({ flow: 'same_device', redirectUri: `${FRONTEND}/../../evil` })
    expect([lookalike.status, lookalike.body.error.code]).toEqual([400, 'redirect_uri_not_allowed'])
    const crossDevice = await make({ redirectUri: FRONTEND })
    expect([crossDevice.status, crossDevice.body.error.code]).toEqual([400, 'invalid_request'])
    const other = (await call(0, 'POST', '/verifiers', {})).body.verifierId
    const unconfigured = await make({ flow: 'same_device' }, other)
    expect([unconfigured.status, unconfigured.body.error.code]).toEqual([400, 'redirect_uri_not_configured'])
  })

  it("releases a result only to its own session's response code, once, on either instance", async () => {
    // Two browser sessions start a same-device flow each, on different instances.
    const a = await request(0, { flow: 'same_device' })
    const b = await request(1, { flow: 'same_device', redirectUri: DEV_FRONTEND })
    expect(a.created.flow).toBe('same_device')
    const answeredA = redirectOf(await answer(a.request))
    const answeredB = redirectOf(await answer(b.request))
    expect([answeredA.uri, answeredB.uri]).toEqual([FRONTEND, DEV_FRONTEND])
    expect(answeredA.code).not.toBe(answeredB.code)

    // The row keeps the code's digest, never the code.
    const { rows } = await database.query<{ value: string }>(
      `SELECT value::text AS value FROM "${schema}".records WHERE id = $1 AND record_type = 'VerificationSession'`,
      [a.requestId],
    )
    expect(rows[0]?.value).toContain(createHash('sha256').update(answeredA.code).digest('base64url'))
    expect(rows[0]?.value).not.toContain(answeredA.code)

    // Without a code, with another session's code, with a made-up one: refused, and nothing leaks.
    const refusals = [
      await call(1, 'GET', `/presentation-requests/${a.requestId}`),
      await redeem(0, a.requestId, answeredB.code),
      await redeem(1, a.requestId, randomBytes(32).toString('base64url')),
    ]
    expect(refusals.map(({ status, body }) => [status, body.error.code])).toEqual([
      [403, 'response_code_required'],
      [403, 'response_code_invalid'],
      [403, 'response_code_invalid'],
    ])
    for (const refusal of refusals) expect(refusal.text).not.toMatch(/MSc|credentials|verified/)

    // The right code, sent to both instances at once: released exactly once.
    const both = await Promise.all([redeem(0, a.requestId, answeredA.code), redeem(1, a.requestId, answeredA.code)])
    expect(both.map(({ status }) => status).sort()).toEqual([200, 403])
    const released = both.find(({ status }) => status === 200)
    expect(released?.body).toMatchObject({
      requestId: a.requestId,
      status: 'verified',
      credentials: [{ claims: { degree: 'MSc' } }],
    })
    expect(both.find(({ status }) => status === 403)?.body.error.code).toBe('response_code_used')
    expect((await redeem(1, a.requestId, answeredA.code)).body.error.code).toBe('response_code_used')
    expect((await call(0, 'GET', `/presentation-requests/${a.requestId}`)).status).toBe(403)

    // The other session's own code still releases its own result.
    expect((await redeem(1, b.requestId, answeredB.code)).body).toMatchObject({ status: 'verified' })
    // The wallet's response posted again gets no new code.
    const replayed = await answer(a.request)
    expect(replayed.status).toBe(400)
    expect(replayed.body.redirect_uri).toBeUndefined()
  })

  it('refuses a code before the wallet answered, and one older than 10 minutes', async () => {
    const pending = await request(0, { flow: 'same_device' })
    expect((await redeem(1, pending.requestId, randomBytes(32).toString('base64url'))).body.error.code).toBe(
      'response_code_invalid',
    )
    const { code } = redirectOf(await answer(pending.request))
    await database.query(
      `UPDATE "${schema}".records SET value = jsonb_set(value, '{decidedAt}', to_jsonb((now() - interval '11 minutes')::text))
       WHERE id = $1 AND record_type = 'VerificationSession'`,
      [pending.requestId],
    )
    const late = await redeem(0, pending.requestId, code)
    expect([late.status, late.body.error.code]).toEqual([403, 'response_code_expired'])
  })

  it('sends the browser back with a code when the wallet answers with an error', async () => {
    const declined = await request(1, { flow: 'same_device' })
    const answered = await wallet.respond(
      declined.request,
      { error: 'access_denied', error_description: 'The holder declined', state: declined.request.payload.state },
      { encrypt: false },
    )
    const { code } = redirectOf(answered)
    expect((await redeem(0, declined.requestId, code)).body).toMatchObject({
      status: 'rejected',
      reason: { code: 'wallet_error', detail: 'access_denied: The holder declined' },
    })
  })

  it('leaves the cross-device flow as it was: no redirect, the result read with the API key', async () => {
    const crossDevice = await request(0, {})
    expect(crossDevice.created.flow).toBe('cross_device')
    const answered = await answer(crossDevice.request)
    expect([answered.status, answered.body]).toEqual([200, {}])
    expect((await call(1, 'GET', `/presentation-requests/${crossDevice.requestId}`)).body).toMatchObject({
      status: 'verified',
      credentials: [{ claims: { degree: 'MSc' } }],
    })
    const notApplicable = await redeem(0, crossDevice.requestId, randomBytes(32).toString('base64url'))
    expect([notApplicable.status, notApplicable.body.error.code]).toEqual([409, 'response_code_not_applicable'])
    expect((await redeem(0, 'no-such-request', 'x')).status).toBe(404)
    // Both instances served the wallet.
    const served = proxy.served.filter((entry) => entry.path.startsWith('/oid4vp'))
    expect(new Set(served.map((entry) => entry.upstream))).toEqual(new Set([0, 1]))
  })
})
