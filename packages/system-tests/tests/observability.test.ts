import { randomBytes } from 'node:crypto'
import { HolderWallet } from '@attesto/holder'
import { PostgresDatabase } from '@attesto/storage-service'
import { DATABASE_URL, freePort, givenNameQuery, REDIS_URL, WebhookReceiver, waitFor } from '@attesto/testing'
import { find, parseExposition, total } from './support/prometheusText.js'
import { ServiceProcess } from './support/serviceProcess.js'

// Logs, metrics and request ids of the real services: an issuer and a verifier, each its own
// process (all of its output captured, at LOG_LEVEL=trace), a full issuance and presentation
// through the REST APIs and the wallet SDK, then what the logs and /metrics show.

const PASS = 'https://issuer.test/observability-pass'
const CLAIM_VALUE = `Zanzibar-${randomBytes(6).toString('hex')}`

describe('observability of the services', () => {
  const issuerSchema = `obs_issuer_${randomBytes(3).toString('hex')}`
  const verifierSchema = `obs_verifier_${randomBytes(3).toString('hex')}`
  const issuerAdminKey = `admin-${randomBytes(16).toString('hex')}`
  const verifierAdminKey = `admin-${randomBytes(16).toString('hex')}`
  const issuerMasterKey = randomBytes(32).toString('base64')
  const verifierMasterKey = randomBytes(32).toString('base64')
  const metricsToken = `metrics-${randomBytes(16).toString('hex')}`
  const receiver = new WebhookReceiver()
  let issuer: ServiceProcess
  let verifier: ServiceProcess
  let verifierMetricsUrl = ''
  let wallet: HolderWallet
  const secrets: Record<string, string> = {}

  const call = async (
    base: string,
    method: string,
    path: string,
    key?: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body ? JSON.stringify(body) : undefined,
    })
    const text = await response.text()
    const json = response.headers.get('content-type')?.startsWith('application/json')
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected loosely in tests
    return { status: response.status, headers: response.headers, text, body: (json ? JSON.parse(text) : {}) as any }
  }
  const scrape = async (url: string, token?: string) => {
    const response = await call(url, 'GET', '/metrics', token)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    return parseExposition(response.text)
  }
  /** Every JSON log line a service wrote (its whole stdout and stderr are captured). */
  const logLines = (service: ServiceProcess) =>
    service.output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)

  beforeAll(async () => {
    await receiver.start()
    const [issuerPort, verifierPort, metricsPort] = [await freePort(), await freePort(), await freePort()]
    verifierMetricsUrl = `http://127.0.0.1:${metricsPort}`
    const common = { DATABASE_URL, LOG_LEVEL: 'trace' }
    issuer = new ServiceProcess('issuer', issuerPort, {
      ...common,
      DATABASE_SCHEMA: issuerSchema,
      KMS_MASTER_KEY: issuerMasterKey,
      ADMIN_API_KEY: issuerAdminKey,
      PUBLIC_BASE_URL: `http://127.0.0.1:${issuerPort}`,
      METRICS_TOKEN: metricsToken,
      REDIS_URL,
      QUEUE_PREFIX: `obs${randomBytes(3).toString('hex')}`,
      WEBHOOK_ALLOW_INSECURE: 'true',
    })
    verifier = new ServiceProcess('verifier', verifierPort, {
      ...common,
      DATABASE_SCHEMA: verifierSchema,
      KMS_MASTER_KEY: verifierMasterKey,
      ADMIN_API_KEY: verifierAdminKey,
      PUBLIC_BASE_URL: `http://127.0.0.1:${verifierPort}`,
      METRICS_PORT: String(metricsPort),
      METRICS_HOST: '127.0.0.1',
    })
    await Promise.all([issuer.start(), verifier.start()])
    wallet = await HolderWallet.open({ inMemory: true, passphrase: 'observability test', allowInsecureHttp: true })
    Object.assign(secrets, { issuerAdminKey, verifierAdminKey, issuerMasterKey, verifierMasterKey, metricsToken })
  }, 240_000)

  afterAll(async () => {
    await wallet?.close()
    await issuer?.kill()
    await verifier?.kill()
    await receiver.close()
    const admin = new PostgresDatabase({ connectionString: DATABASE_URL, maxConnections: 1 })
    await admin.query(`DROP SCHEMA IF EXISTS "${issuerSchema}" CASCADE`)
    await admin.query(`DROP SCHEMA IF EXISTS "${verifierSchema}" CASCADE`)
    await admin.close()
  })

  it('runs issuance and presentation without a key, claim value or private key in any log line', async () => {
    const issuerKey = (await call(issuer.url, 'POST', '/tenants', issuerAdminKey, { label: 'Registry' })).body.apiKey
    secrets.issuerKey = issuerKey
    const { issuerId, did: issuerDid } = (await call(issuer.url, 'POST', '/issuers', issuerKey, {})).body
    await call(issuer.url, 'PUT', `/issuers/${issuerId}/credential-configurations/pass`, issuerKey, {
      vct: PASS,
      claims: [{ name: 'given_name', type: 'string' }],
    })
    const hook = await call(issuer.url, 'POST', '/webhooks', issuerKey, {
      url: receiver.url,
      events: ['credential.status_changed'],
    })
    expect(hook.status).toBe(201)
    receiver.secret = hook.body.secret
    secrets.webhookSecret = hook.body.secret

    const offer = await call(
      issuer.url,
      'POST',
      '/offers',
      issuerKey,
      { issuerId, credentialConfigurationId: 'pass', claims: { given_name: CLAIM_VALUE }, txCode: false },
      { 'x-request-id': 'obs-offer-1' },
    )
    expect(offer.status).toBe(201)
    expect(offer.headers.get('x-request-id')).toBe('obs-offer-1')
    const [credential] = await wallet.acceptOffer(offer.body.uri)
    expect(credential?.claims.given_name).toBe(CLAIM_VALUE)

    const bank = (await call(verifier.url, 'POST', '/tenants', verifierAdminKey, { label: 'Bank' })).body.apiKey
    const shop = (await call(verifier.url, 'POST', '/tenants', verifierAdminKey, { label: 'Shop' })).body.apiKey
    Object.assign(secrets, { bank, shop })
    await call(verifier.url, 'PUT', `/trusted-issuers/${encodeURIComponent(issuerDid)}`, bank, {})
    const present = async (key: string) => {
      const { verifierId } = (await call(verifier.url, 'POST', '/verifiers', key, {})).body
      const request = await call(verifier.url, 'POST', '/presentation-requests', key, {
        verifierId,
        dcql: { query: givenNameQuery(PASS) },
      })
      await wallet.present(request.body.uri)
      return (await call(verifier.url, 'GET', `/presentation-requests/${request.body.requestId}`, key)).body
    }
    const verified = await present(bank)
    expect(verified.status).toBe('verified')
    expect(JSON.stringify(verified.credentials)).toContain(CLAIM_VALUE)
    expect(await present(shop)).toMatchObject({ status: 'rejected', reason: { code: 'untrusted_issuer' } })

    // A status change from the API: its webhook delivery carries the request's id.
    const change = await call(
      issuer.url,
      'POST',
      `/offers/${offer.body.offerId}/status`,
      issuerKey,
      { status: 'suspended' },
      { 'x-request-id': 'obs-status-change-1' },
    )
    expect(change.status).toBe(200)
    const delivery = await waitFor(
      () => receiver.received.find((d) => d.event.type === 'credential.status_changed'),
      'the status-change webhook',
    )
    expect(delivery.signatureValid).toBe(true)
    expect(delivery.requestId).toBe('obs-status-change-1')

    // Let the last lines reach the pipes, then look at everything both services wrote.
    await new Promise((resolve) => setTimeout(resolve, 300))
    const output = `${issuer.output}\n${verifier.output}`
    expect(output.length).toBeGreaterThan(10_000) // trace level: Credo, the runtime and the access log wrote
    for (const [name, secret] of Object.entries(secrets)) {
      expect({ name, found: output.includes(secret) }).toEqual({ name, found: false })
    }
    // Neither the tenant keys' secret parts, nor the claim, nor a private JWK (`"d":`) anywhere.
    for (const key of [issuerKey, bank, shop]) expect(output).not.toContain(key.split('.')[2])
    expect(output).not.toContain(CLAIM_VALUE)
    expect(output).not.toMatch(/"d"\s*:\s*"[A-Za-z0-9_-]{20,}"/)
    expect(output).not.toMatch(/PRIVATE KEY/)
  }, 240_000)

  it('writes one access-log line per request with its route, status, latency, tenant and request id', async () => {
    // A refused request: the error handler's own line (debug) carries the request's id too.
    const refused = await call(
      issuer.url,
      'POST',
      '/offers',
      secrets.issuerKey,
      { claims: 'nope' },
      {
        'x-request-id': 'obs-refused-1',
      },
    )
    expect(refused.status).toBe(400)
    await new Promise((resolve) => setTimeout(resolve, 300))
    const lines = logLines(issuer)
    const offerLines = lines.filter((line) => line.requestId === 'obs-offer-1')
    const access = offerLines.find((line) => line.message === 'request')
    expect(access).toMatchObject({
      level: 'info',
      service: 'issuer',
      method: 'POST',
      route: '/offers',
      status: 201,
      tenantId: expect.any(String),
    })
    expect(typeof access?.durationMs).toBe('number')
    expect(offerLines.filter((line) => line.message === 'request')).toHaveLength(1)
    const refusedLines = lines.filter((line) => line.requestId === 'obs-refused-1')
    expect(refusedLines.map((line) => [line.message, line.level])).toEqual([
      ['Request refused', 'debug'],
      ['request', 'info'],
    ])
    // The wallet's protocol requests are logged by route template, never by path.
    const routes = new Set(lines.filter((line) => line.message === 'request').map((line) => line.route))
    expect(routes).toContain('/oid4vci/:issuerId/token')
    expect(routes).toContain('/oid4vci/:issuerId/credential')
    // Refused presentations and other 4xx are not errors.
    const verifierLines = logLines(verifier)
    const errorLines = [...lines, ...verifierLines].filter((line) => line.level === 'error' || line.level === 'fatal')
    expect(errorLines).toEqual([])
  })

  it('answers X-Request-Id: a safe one echoed, an unsafe or overlong one replaced by a new id', async () => {
    const echoed = await call(verifier.url, 'GET', '/health', undefined, undefined, { 'x-request-id': 'abc-123.X_y:z' })
    expect(echoed.headers.get('x-request-id')).toBe('abc-123.X_y:z')
    for (const unsafe of ['a'.repeat(129), 'has space', 'quote"d', '']) {
      const replaced = await call(verifier.url, 'GET', '/health', undefined, undefined, { 'x-request-id': unsafe })
      expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    }
    const fresh = await call(verifier.url, 'GET', '/health')
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('serves /metrics on the public port only with the token, and on METRICS_PORT without one', async () => {
    expect((await call(issuer.url, 'GET', '/metrics')).status).toBe(401)
    const wrong = await call(issuer.url, 'GET', '/metrics', `${metricsToken}x`)
    expect(wrong.status).toBe(401)
    expect(wrong.body.error.code).toBe('unauthorized')
    await scrape(issuer.url, metricsToken)
    // The verifier has a metrics port and no token: its public port does not serve metrics.
    const closed = await call(verifier.url, 'GET', '/metrics')
    expect(closed.status).not.toBe(200)
    expect(closed.text).not.toContain('attesto_')
    await scrape(verifierMetricsUrl)
    expect((await call(verifierMetricsUrl, 'GET', '/health')).status).toBe(404)
  })

  it('labels requests by route template and counts outcomes with their reasons', async () => {
    await call(issuer.url, 'GET', `/no-such-path/${randomBytes(4).toString('hex')}`)
    const issuerMetrics = await scrape(issuer.url, metricsToken)
    const requests = 'attesto_http_request_duration_seconds_count'
    expect(total(find(issuerMetrics, requests, { route: '/oid4vci/:issuerId/token', status: '200' }))).toBe(1)
    expect(total(find(issuerMetrics, requests, { route: '/oid4vci/:issuerId/credential', status: '200' }))).toBe(1)
    expect(total(find(issuerMetrics, requests, { route: '/offers', method: 'POST', status: '201' }))).toBe(1)
    // A path no route has (refused by the tenant authentication first): one fixed label.
    expect(total(find(issuerMetrics, requests, { route: 'unmatched', method: 'GET' }))).toBeGreaterThanOrEqual(1)
    // Route labels are templates: no request's own path (ids) became a label.
    const routes = new Set(find(issuerMetrics, requests, {}).map((s) => s.labels.route))
    for (const route of routes)
      expect(route === 'unmatched' || !/[0-9a-f]{8}-[0-9a-f]{4}/.test(route as string)).toBe(true)
    expect(find(issuerMetrics, 'attesto_http_request_duration_seconds_bucket', { le: '+Inf' }).length).toBeGreaterThan(
      0,
    )
    expect(
      total(find(issuerMetrics, 'attesto_issuance_outcomes_total', { step: 'credential', result: 'issued' })),
    ).toBe(1)
    expect(total(find(issuerMetrics, 'attesto_issuance_outcomes_total', { step: 'token', result: 'issued' }))).toBe(1)
    expect(
      total(find(issuerMetrics, 'attesto_kms_call_duration_seconds_count', { backend: 'local', operation: 'sign' })),
    ).toBeGreaterThan(0)
    expect(find(issuerMetrics, 'attesto_db_pool_connections', { pool: 'primary', state: 'max' })[0]?.value).toBe(10)
    expect(total(find(issuerMetrics, 'attesto_db_work_duration_seconds_count', { kind: 'tenant' }))).toBeGreaterThan(0)
    expect(find(issuerMetrics, 'attesto_queue_up', { queue: 'webhooks' })[0]?.value).toBe(1)
    expect(find(issuerMetrics, 'attesto_queue_jobs', { queue: 'offer-batches', state: 'waiting' })).toHaveLength(1)
    expect(total(find(issuerMetrics, 'attesto_webhook_deliveries_total', { outcome: 'delivered' }))).toBe(1)
    expect(find(issuerMetrics, 'attesto_process_cpu_seconds_total', {})).toHaveLength(1)

    const verifierMetrics = await scrape(verifierMetricsUrl)
    expect(
      total(
        find(verifierMetrics, requests, {
          route: '/oid4vp/:verifierId/authorization-requests/:requestId',
          method: 'GET',
        }),
      ),
    ).toBe(2)
    const outcomes = 'attesto_verification_outcomes_total'
    expect(total(find(verifierMetrics, outcomes, { result: 'verified', reason: 'none' }))).toBe(1)
    expect(total(find(verifierMetrics, outcomes, { result: 'rejected', reason: 'untrusted_issuer' }))).toBe(1)
    expect(total(find(verifierMetrics, 'attesto_status_list_lookups_total', { result: 'fetch' }))).toBe(1)
    expect(total(find(verifierMetrics, 'attesto_did_cache_lookups_total', {}))).toBeGreaterThan(0)
  })
})
