import { randomBytes } from 'node:crypto'
import { REDIS_URL, startService } from '@attesto/testing'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { issuerPair } from './support/issuerFixture.js'

// The edge's rate limits hold over two issuer instances sharing the real Redis: the token
// endpoint's and the other protocol endpoints' per client address (read behind a balancer from
// X-Forwarded-For), the REST API's per tenant. Each instance alone would let twice as many through.

type Service = Awaited<ReturnType<typeof startService<IssuerRuntime>>>

describe('rate limits, two instances on one Redis', () => {
  const env = {
    PUBLIC_BASE_URL: 'http://issuer.test',
    KMS_MASTER_KEY: randomBytes(32).toString('base64'),
    REDIS_URL,
    QUEUE_PREFIX: `test${randomBytes(4).toString('hex')}`,
    TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '10',
    PROTOCOL_REQUESTS_PER_MINUTE_PER_ADDRESS: '6',
    API_REQUESTS_PER_MINUTE_PER_TENANT: '8',
    TRUST_PROXY_HOPS: '1',
  }
  let a: Service
  let b: Service
  let issuerId = ''

  beforeAll(async () => {
    ;({ a, b, issuerId } = await issuerPair(createIssuerApp, env, 'Limits'))
  })
  afterAll(async () => {
    await b?.close()
    await a?.close()
  })

  const token = (service: Service, address: string) =>
    fetch(`${service.http.url}/oid4vci/${issuerId}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': address },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code',
        'pre-authorized_code': 'guess',
      }),
    })
  const nonce = (service: Service, address: string) =>
    fetch(`${service.http.url}/oid4vci/${issuerId}/nonce`, { method: 'POST', headers: { 'x-forwarded-for': address } })

  async function expectLimited(response: Response, shape: 'protocol' | 'rest') {
    expect(response.status).toBe(429)
    const retryAfter = Number(response.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    const body = (await response.json()) as Record<string, unknown>
    if (shape === 'protocol') {
      expect(body).toMatchObject({ error: 'too_many_requests', retry_after: retryAfter })
      expect(body.error_description).toContain(`retry in ${retryAfter} s`)
    } else {
      expect(body).toEqual({ error: { code: 'too_many_requests', message: expect.stringContaining('tenant') } })
    }
  }

  it('counts token requests of one address over both instances and answers 429 with Retry-After past the limit', async () => {
    const statuses: number[] = []
    for (let index = 0; index < 10; index++) statuses.push((await token(index % 2 ? a : b, '203.0.113.7')).status)
    expect(statuses).toEqual(Array(10).fill(400))
    await expectLimited(await token(a, '203.0.113.7'), 'protocol')
    await expectLimited(await token(b, '203.0.113.7'), 'protocol')
    // Another client behind the same balancer is not held back, nor is this one on other endpoints.
    expect((await token(b, '198.51.100.4')).status).toBe(400)
    expect((await nonce(a, '203.0.113.7')).status).toBe(200)
  })

  it('counts the other protocol endpoints per address in a bucket of their own', async () => {
    const statuses: number[] = []
    for (let index = 0; index < 6; index++) statuses.push((await nonce(index % 2 ? a : b, '192.0.2.10')).status)
    expect(statuses).toEqual(Array(6).fill(200))
    await expectLimited(await nonce(a, '192.0.2.10'), 'protocol')
    // Another protocol endpoint shares the bucket; the token endpoint does not.
    await expectLimited(
      await fetch(`${b.http.url}/oid4vci/${issuerId}/credential`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.10' },
        body: '{}',
      }),
      'protocol',
    )
    expect((await token(b, '192.0.2.10')).status).toBe(400)
  })

  it('counts REST requests per tenant over both instances', async () => {
    const key = (await a.call('POST', '/tenants', a.adminApiKey, { label: 'Busy' })).body.apiKey as string
    const statuses: number[] = []
    for (let index = 0; index < 8; index++)
      statuses.push((await (index % 2 ? a : b).call('GET', '/webhooks', key)).status)
    expect(statuses).toEqual(Array(8).fill(200))
    await expectLimited(await fetch(`${a.http.url}/webhooks`, { headers: { authorization: `Bearer ${key}` } }), 'rest')
    // Another tenant has its own budget; admin calls are not counted per tenant.
    const other = (await b.call('POST', '/tenants', b.adminApiKey, { label: 'Quiet' })).body.apiKey as string
    expect((await b.call('GET', '/webhooks', other)).status).toBe(200)
  })
})
