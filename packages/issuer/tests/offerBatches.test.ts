import { randomBytes } from 'node:crypto'
import { holderAgent, REDIS_URL, redeemOffer, silentLogger, startService } from '@attesto/testing'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { loadBatchConfig } from '../src/batches/batchConfig.js'
import { OfferBatchWorker } from '../src/batches/offerBatchWorker.js'
import { issuanceSessionCount, tenantWithIssuer } from './support/issuerFixture.js'

// Bulk offers through the issuer REST API, on the real PostgreSQL and the real Redis (queues
// under a prefix of their own), with a worker in this process.

describe('bulk offers', () => {
  const prefix = `test${randomBytes(4).toString('hex')}`
  const batchConfig = loadBatchConfig({
    BATCH_CHUNK_SIZE: '2',
    BATCH_CHUNKS_IN_FLIGHT: '2',
  })
  let service: Awaited<ReturnType<typeof startService<IssuerRuntime>>>
  let worker: OfferBatchWorker
  let key = ''
  let issuerId = ''
  const call = (...args: Parameters<typeof service.call>) => service.call(...args)

  async function finished(batchId: string) {
    for (let attempt = 0; attempt < 200; attempt++) {
      const { body } = await call('GET', `/offer-batches/${batchId}`, key)
      if (body.status === 'finished') return body
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error(`batch ${batchId} did not finish`)
  }

  const sessionCount = () => issuanceSessionCount(service, key)

  beforeAll(async () => {
    service = await startService('issuer', (config, logger) => createIssuerApp(config, logger, batchConfig), {
      REDIS_URL,
      QUEUE_PREFIX: prefix,
    })
    worker = new OfferBatchWorker({
      root: service.runtime.agent.context,
      offers: service.runtime.offers,
      redis: REDIS_URL,
      prefix,
      config: batchConfig,
      logger: silentLogger,
    }).start()
    ;({ key, issuerId } = await tenantWithIssuer(service, {
      label: 'Ministry',
      configurationId: 'diploma',
      vct: 'urn:attesto:test:diploma',
      claims: [
        { name: 'given_name', type: 'string', required: true },
        { name: 'grade', type: 'number' },
        { name: 'honours', type: 'boolean' },
      ],
    }))
  })
  afterAll(async () => {
    await worker?.close()
    await service?.close()
  })

  it('takes a JSON batch at once, reports bad rows by number, and makes one offer per good row', async () => {
    const rows = [
      { given_name: 'Ada', grade: 5.5 },
      { grade: 4 },
      { given_name: 'Alan', honours: true },
      { given_name: 'Grace', shoe_size: 38 },
      { given_name: 'Edsger' },
    ]
    const submitted = await call('POST', '/offer-batches', key, {
      issuerId,
      credentialConfigurationId: 'diploma',
      rows,
    })
    expect(submitted.status).toBe(202)
    expect(submitted.body).toMatchObject({ total: 5, invalidRows: 2 })
    expect(submitted.body.invalid).toEqual([
      { row: 2, code: 'claim_missing', message: "Claim 'given_name' is required" },
      {
        row: 4,
        code: 'claim_unknown',
        message: "Claim 'shoe_size' is not defined in credential configuration 'diploma'",
      },
    ])

    const batch = await finished(submitted.body.batchId)
    expect(batch).toMatchObject({ total: 5, done: 3, failed: 2, pending: 0 })
    const results = await call('GET', `/offer-batches/${submitted.body.batchId}/results`, key)
    expect(results.body.rows.map((row: { row: number; status: string }) => [row.row, row.status])).toEqual([
      [1, 'offered'],
      [2, 'invalid'],
      [3, 'offered'],
      [4, 'invalid'],
      [5, 'offered'],
    ])
    expect(await sessionCount()).toBe(3)

    // An offer from the batch is a real offer: a wallet redeems it.
    const wallet = await holderAgent()
    try {
      const [credential] = await redeemOffer(wallet.agent, results.body.rows[0].uri)
      const record = credential?.record as unknown as { firstCredential: { prettyClaims: Record<string, unknown> } }
      const claims = record.firstCredential.prettyClaims
      expect(claims).toMatchObject({ given_name: 'Ada', grade: 5.5 })
    } finally {
      await wallet.close()
    }
    const offerStatus = await call('GET', `/offers/${results.body.rows[0].offerId}`, key)
    expect(offerStatus.body.status).toBe('credential_issued')
  })

  it('takes CSV with a header row, typed by the configuration, and gives the results as CSV', async () => {
    const csv = 'given_name,grade,honours\nAda,5.5,true\n"Lovelace, Ada",,false\n,3,\n'
    const submitted = await call(
      'POST',
      `/offer-batches?issuerId=${issuerId}&credentialConfigurationId=diploma`,
      key,
      csv,
      { 'content-type': 'text/csv' },
    )
    expect(submitted.status).toBe(202)
    expect(submitted.body.invalid).toEqual([
      { row: 4, code: 'claim_missing', message: "Claim 'given_name' is required" },
    ])
    await finished(submitted.body.batchId)
    const response = await fetch(`${service.http.url}/offer-batches/${submitted.body.batchId}/results?format=csv`, {
      headers: { authorization: `Bearer ${key}` },
    })
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/)
    const lines = (await response.text()).trim().split('\n')
    expect(lines[0]).toBe('row,status,offer_id,uri,tx_code,expires_at,error')
    expect(lines[1]).toMatch(/^2,offered,[0-9a-f-]{36},openid-credential-offer:\/\//)
    expect(lines[2]).toMatch(/^3,offered,/)
    expect(lines[3]).toBe("4,invalid,,,,,claim_missing: Claim 'given_name' is required")
  })

  it('creates a batch once per Idempotency-Key', async () => {
    const before = await sessionCount()
    const body = {
      issuerId,
      credentialConfigurationId: 'diploma',
      rows: [{ given_name: 'Once' }, { given_name: 'Twice' }],
    }
    const headers = { 'idempotency-key': `batch-${randomBytes(4).toString('hex')}` }
    const first = await call('POST', '/offer-batches', key, body, headers)
    const again = await call('POST', '/offer-batches', key, body, headers)
    expect(again.body.batchId).toBe(first.body.batchId)
    await finished(first.body.batchId)
    expect(await sessionCount()).toBe(before + 2)
  })

  it('gives a row submitted again, in another batch, its first offer instead of a second one', async () => {
    const before = await sessionCount()
    const submit = (rows: Record<string, unknown>[]) =>
      call('POST', '/offer-batches', key, { issuerId, credentialConfigurationId: 'diploma', rows })
    const first = await submit([
      { '@key': 'student-1', given_name: 'Ada' },
      { '@key': 'student-2', given_name: 'Alan' },
    ])
    await finished(first.body.batchId)
    const second = await submit([
      { '@key': 'student-2', given_name: 'Alan' },
      { '@key': 'student-3', given_name: 'Grace' },
      { '@key': 'student-3', given_name: 'Grace again' },
    ])
    expect(second.body.invalid).toEqual([
      { row: 3, code: 'row_key_repeated', message: "'@key' 'student-3' appears twice in this batch" },
    ])
    await finished(second.body.batchId)
    expect(await sessionCount()).toBe(before + 3)

    const rowsOf = async (batchId: string) => (await call('GET', `/offer-batches/${batchId}/results`, key)).body.rows
    const [, alanFirst] = await rowsOf(first.body.batchId)
    const [alanAgain] = await rowsOf(second.body.batchId)
    expect(alanAgain).toMatchObject({
      row: 1,
      status: 'offered',
      offerId: alanFirst.offerId,
      uri: alanFirst.uri,
      duplicateOf: { batchId: first.body.batchId, row: 2 },
    })
  })

  it('refuses what it cannot take, with a reason', async () => {
    const post = (body: unknown, headers?: Record<string, string>) => call('POST', '/offer-batches', key, body, headers)
    expect((await post({ issuerId, credentialConfigurationId: 'diploma', rows: [] })).body.error.code).toBe(
      'invalid_request',
    )
    expect((await post({ issuerId, credentialConfigurationId: 'nope', rows: [{}] })).body.error.code).toBe(
      'credential_configuration_not_found',
    )
    const csv = (body: string) =>
      call('POST', `/offer-batches?issuerId=${issuerId}&credentialConfigurationId=diploma`, key, body, {
        'content-type': 'text/csv',
      })
    expect((await csv('given_name\n"unterminated\n')).body.error.code).toBe('invalid_csv')
    expect((await csv('given_name\n')).body.error.code).toBe('batch_empty')
    const other = (await call('POST', '/tenants', service.adminApiKey, { label: 'Other' })).body.apiKey
    const mine = await post({ issuerId, credentialConfigurationId: 'diploma', rows: [{ given_name: 'Mine' }] })
    expect((await call('GET', `/offer-batches/${mine.body.batchId}`, other)).body.error.code).toBe('batch_not_found')
  })

  it('reports queue depths to the admin, for scaling workers', async () => {
    expect((await call('GET', '/admin/queues', key)).status).toBe(401)
    const { status, body } = await call('GET', '/admin/queues', service.adminApiKey)
    expect(status).toBe(200)
    expect(Object.keys(body.queues).sort()).toEqual(['deferred-claims', 'offer-batches', 'status-changes', 'webhooks'])
    expect(body.queues['offer-batches']).toEqual({
      waiting: expect.any(Number),
      active: expect.any(Number),
      delayed: expect.any(Number),
      failed: 0,
      completed: expect.any(Number),
    })
    // The batches of the tests above went through it.
    expect(body.queues['offer-batches'].completed).toBeGreaterThan(0)
  })

  it('answers 503 queue_unavailable when the service has no queue', async () => {
    const bare = await startService('issuer', createIssuerApp)
    try {
      const tenantKey = (await bare.call('POST', '/tenants', bare.adminApiKey, { label: 'No queue' })).body.apiKey
      const response = await bare.call('POST', '/offer-batches', tenantKey, {
        issuerId: 'x',
        credentialConfigurationId: 'y',
        rows: [{}],
      })
      expect(response.status).toBe(503)
      expect(response.body.error.code).toBe('queue_unavailable')
    } finally {
      await bare.close()
    }
  })
})
