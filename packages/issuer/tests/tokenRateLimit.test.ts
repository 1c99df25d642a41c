import { randomBytes } from 'node:crypto'
import { REDIS_URL, startService } from '@attesto/agent-runtime/testing'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { loadBatchConfig } from '../src/batches/batchConfig.js'
import { loadIssuerProtocolConfig } from '../src/protocol/protocolConfig.js'
import { issuerPair } from './support/issuerFixture.js'

// The token endpoint's per-address limit holds over two instances sharing the real Redis, and
// reads the client address behind a balancer from X-Forwarded-For.

type Service = Awaited<ReturnType<typeof startService<IssuerRuntime>>>

describe('token endpoint rate limit, two instances on one Redis', () => {
  const protocolConfig = loadIssuerProtocolConfig({
    TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '10',
    TRUST_PROXY_HOPS: '1',
  })
  const env = {
    PUBLIC_BASE_URL: 'http://issuer.test',
    KMS_MASTER_KEY: randomBytes(32).toString('base64'),
    REDIS_URL,
    QUEUE_PREFIX: `test${randomBytes(4).toString('hex')}`,
  }
  const app = (config: Parameters<typeof createIssuerApp>[0], logger: Parameters<typeof createIssuerApp>[1]) =>
    createIssuerApp(config, logger, loadBatchConfig({}), protocolConfig)
  let a: Service
  let b: Service
  let issuerId = ''

  beforeAll(async () => {
    ;({ a, b, issuerId } = await issuerPair(app, env, 'Limits'))
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

  it('counts one address over both instances and answers 429 with Retry-After past the limit', async () => {
    // The limit counts per clock minute: start well inside one.
    const second = new Date().getSeconds()
    if (second > 45) await new Promise((resolve) => setTimeout(resolve, (61 - second) * 1000))
    const statuses: number[] = []
    for (let index = 0; index < 12; index++) statuses.push((await token(index % 2 ? a : b, '203.0.113.7')).status)
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(400))
    expect(statuses.slice(10)).toEqual([429, 429])
    const limited = await token(a, '203.0.113.7')
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(((await limited.json()) as { error: string }).error).toBe('too_many_requests')
    // Another client behind the same balancer is not held back.
    expect((await token(b, '198.51.100.4')).status).toBe(400)
  })
})
