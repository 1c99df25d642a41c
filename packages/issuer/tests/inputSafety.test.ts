import { randomBytes } from 'node:crypto'
import { JsonLogger, logLevelFromName } from '@attesto/agent-runtime'
import { REDIS_URL, startService } from '@attesto/testing'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { loadBatchConfig } from '../src/batches/batchConfig.js'
import { HandWallet, parseOffer } from './support/HandWallet.js'
import { tenantWithIssuer } from './support/issuerFixture.js'

// Client mistakes are 4xx with a stable code, never 500; claim names and dates are judged
// strictly; answers carrying secrets are not cacheable; claims never reach a log line.
// Real PostgreSQL and Redis.

describe('issuer input safety', () => {
  const lines: string[] = []
  const logger = new JsonLogger(logLevelFromName('debug'), 'issuer', (line) => lines.push(line))
  let service: Awaited<ReturnType<typeof startService<IssuerRuntime>>>
  let key = ''
  let issuerId = ''
  const call = (...args: Parameters<typeof service.call>) => service.call(...args)
  const SECRET_CLAIM = `Marker${randomBytes(6).toString('hex')}`

  beforeAll(async () => {
    service = await startService(
      'issuer',
      (config, log) =>
        createIssuerApp(config, log, loadBatchConfig({ QUEUE_ATTEMPTS: '2', QUEUE_BACKOFF_MILLIS: '50' })),
      { REDIS_URL, QUEUE_PREFIX: `test${randomBytes(4).toString('hex')}` },
      { logger },
    )
    service.runtime.deferredClaims?.startWorking(service.runtime.offers.sessions, logger)
    ;({ key, issuerId } = await tenantWithIssuer(service, {
      label: 'Safety',
      configurationId: 'card',
      vct: 'urn:attesto:test:card',
      claims: [
        { name: 'name', type: 'string', required: true },
        { name: 'born', type: 'date' },
      ],
    }))
    const deferred = await call('PUT', `/issuers/${issuerId}/credential-configurations/later`, key, {
      vct: 'urn:attesto:test:later',
      deferred: true,
      claims: [{ name: 'name', type: 'string', required: true }],
    })
    expect(deferred.status).toBe(200)
  })
  afterAll(async () => {
    await service?.close()
  })

  const offer = (claims: unknown) =>
    call('POST', '/offers', key, { issuerId, credentialConfigurationId: 'card', claims })

  it.each([
    'constructor',
    '__proto__',
    'toString',
    'hasOwnProperty',
    'iss',
    'vct',
    'cnf',
    'iat',
    'exp',
    'nbf',
    'status',
    '_sd',
    '_sd_alg',
  ])('refuses the claim name %s in a configuration', async (name) => {
    const response = await call('PUT', `/issuers/${issuerId}/credential-configurations/bad`, key, {
      vct: 'urn:attesto:test:bad',
      claims: [{ name, type: 'string' }],
    })
    expect(response.status).toBe(400)
    expect(response.body.error.code).toBe('invalid_request')
  })

  it('looks claims up as own properties only', async () => {
    const response = await call('PUT', `/issuers/${issuerId}/credential-configurations/sub`, key, {
      vct: 'urn:attesto:test:sub',
      claims: [{ name: 'sub', type: 'string', required: true }],
    })
    expect(response.status).toBe(200) // `sub` stays allowed
    const missing = await call('POST', '/offers', key, { issuerId, credentialConfigurationId: 'sub', claims: {} })
    expect(missing.body.error.code).toBe('claim_missing')
    expect((await offer({ name: 'A', toString: 'x' })).body.error.code).toBe('claim_unknown')
  })

  it.each(['2024-02-31', '2023-02-29', '0000-01-01', '2024-13-01', '2024-00-10', '2024-1-01'])(
    'refuses the impossible date %s',
    async (born) => {
      const response = await offer({ name: 'A', born })
      expect(response.status).toBe(400)
      expect(response.body.error.code).toBe('claim_invalid')
    },
  )

  it('accepts real dates', async () => {
    expect((await offer({ name: 'A', born: '2024-02-29' })).status).toBe(201)
    expect((await offer({ name: 'A', born: '0001-01-01' })).status).toBe(201)
  })

  it.each([
    ['a NUL in a claim', { claims: { name: 'a\u0000b' } }, 'invalid_string'],
    ['a lone surrogate in a claim', { claims: { name: 'a\ud800b' } }, 'invalid_string'],
    ['a NUL in an id', { issuerId: 'x\u0000' }, 'invalid_string'],
    ['a NUL in a key', { claims: { 'na\u0000me': 'A' } }, 'invalid_string'],
    ['a constructor key in the claims', { claims: { name: 'A', constructor: { prototype: {} } } }, 'reserved_key'],
    ['a __proto__ key in the claims', JSON.parse('{"claims":{"name":"A","__proto__":{"polluted":1}}}'), 'reserved_key'],
  ])('answers 400 for %s', async (_what, body, code) => {
    const response = await call('POST', '/offers', key, { issuerId, credentialConfigurationId: 'card', ...body })
    expect(response.status).toBe(400)
    expect(response.body.error.code).toBe(code)
  })

  it('answers 400 for input nested too deep, and for NULs in labels, paths and queries', async () => {
    const deep = `{"issuerId":"${issuerId}","credentialConfigurationId":"card","claims":{"name":"A"},"x":${'['.repeat(50_000)}${']'.repeat(50_000)}}`
    const response = await call('POST', '/offers', key, deep)
    expect(response.status).toBe(400)
    expect(response.body.error.code).toBe('input_too_deep')
    const tenant = await call('POST', '/tenants', service.adminApiKey, { label: 'a\u0000' })
    expect([tenant.status, tenant.body.error.code]).toEqual([400, 'invalid_string'])
    expect((await call('GET', '/offers/%00', key)).status).toBe(400)
    expect((await call('GET', '/offers/%E0%A4%A', key)).status).toBe(400)
    expect((await call('GET', '/issuers/x?y=%00', key)).status).toBe(400)
  })

  it('never lets answers that carry secrets be cached', async () => {
    const tenant = await call('POST', '/tenants', service.adminApiKey, { label: 'Cache' })
    expect(tenant.headers.get('cache-control')).toBe('no-store')
    const made = await call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'card',
      claims: { name: 'A' },
      txCode: { length: 6 },
    })
    expect(made.body.txCode).toMatch(/^\d{6}$/)
    expect(made.headers.get('cache-control')).toBe('no-store')
  })

  it('caps the webhooks of a tenant (WEBHOOK_MAX_PER_TENANT, 10 by default)', async () => {
    const register = (index: number) =>
      call('POST', '/webhooks', key, { url: `https://hooks.example.com/${index}`, events: ['credential.issued'] })
    for (let index = 0; index < 10; index++) expect((await register(index)).status).toBe(201)
    const refused = await register(10)
    expect([refused.status, refused.body.error.code]).toEqual([409, 'webhook_limit_reached'])
  })

  it('logs client mistakes at debug level, sampled: a flood of them writes a line or two', async () => {
    const before = lines.length
    const unknownIssuer = '00000000-0000-4000-8000-000000000000'
    await Promise.all(
      Array.from({ length: 10 }, async (_, worker) => {
        for (let index = 0; index < 150; index++) {
          const path =
            index % 3 === 0
              ? `/oid4vci/${unknownIssuer}/nonce`
              : index % 3 === 1
                ? `/.well-known/openid-credential-issuer/oid4vci/${randomBytes(4).toString('hex')}`
                : `/offers/${worker}-${index}`
          const response = await fetch(`${service.http.url}${path}`, {
            method: index % 3 === 0 ? 'POST' : 'GET',
            headers: { authorization: 'Bearer atk.nobody.nothing' },
          })
          expect(response.status).toBeLessThan(500)
          await response.arrayBuffer()
        }
      }),
    )
    // The access log writes one line per request by design (ACCESS_LOG); the refusals' own lines are sampled.
    const flood = lines.slice(before).filter((line) => JSON.parse(line).message !== 'request')
    expect(flood.filter((line) => JSON.parse(line).level === 'error')).toEqual([])
    expect(flood.length).toBeLessThanOrEqual(6)
  }, 60_000)

  it('lists deliveries whose tenant is gone for the operator', async () => {
    const deliveryId = `lost-${randomBytes(6).toString('hex')}`
    await service.runtime.webhooks?.queue.add('delivery', {
      tenantId: '00000000-0000-4000-8000-000000000000',
      webhookId: 'gone',
      deliveryId,
      event: { id: 'lost', type: 'credential.issued', createdAt: new Date().toISOString(), data: {} },
    })
    await waitUntil(async () => {
      const listed = await call('GET', '/admin/webhooks/undeliverable', service.adminApiKey)
      return listed.body.undeliverable.some((entry: { deliveryId: string }) => entry.deliveryId === deliveryId)
    })
    expect((await call('GET', '/admin/webhooks/undeliverable', key)).status).toBe(401)
  })

  it('validates deferred approvals before queueing them, lets a failed one be corrected, and logs no claim', async () => {
    const deferredOffer = await call('POST', '/offers', key, { issuerId, credentialConfigurationId: 'later' })
    const { offerId } = deferredOffer.body
    const bad = await call('PUT', `/offers/${offerId}/claims`, key, { claims: { name: `${SECRET_CLAIM}\u0000` } })
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_string'])

    // An approval that fails in the worker (queued past the API's checks) fails without its claims in any line.
    const deferredClaims = service.runtime.deferredClaims
    if (!deferredClaims) throw new Error('no queue')
    await deferredClaims.add({ tenantId: await tenantIdOf(key), offerId, claims: { name: `${SECRET_CLAIM}\u0000` } })
    await waitUntil(() => lines.filter((line) => line.includes('Deferred approval failed')).length >= 2)

    // The corrected approval is accepted and recorded.
    const fixed = await call('PUT', `/offers/${offerId}/claims`, key, { claims: { name: SECRET_CLAIM } })
    expect(fixed.status).toBe(202)
    await waitUntil(async () =>
      Boolean((await service.runtime.offers.sessions.find(await tenantIdOf(key), offerId))?.claimsApprovedAt),
    )

    // A whole issuance of the claim, with a refused credential request on the way.
    const offered = await offer({ name: SECRET_CLAIM })
    const wallet = new HandWallet()
    const { credentialIssuer, code } = parseOffer(offered.body.uri)
    const issuer = credentialIssuer.replace(/^https?:\/\/[^/]+/, service.http.url)
    const token = (await wallet.redeem(issuer, code)).body.access_token as string
    const request = { credential_configuration_id: 'card' }
    expect((await wallet.credential(issuer, token, { ...request, proofs: { jwt: ['x.y.z'] } })).status).toBe(400)
    const proof = wallet.proof(credentialIssuer, await wallet.nonce(issuer))
    const issued = await wallet.credential(issuer, token, { ...request, proofs: { jwt: [proof] } })
    expect(issued.status).toBe(200)

    expect(lines.length).toBeGreaterThan(0)
    expect(lines.filter((line) => line.includes(SECRET_CLAIM))).toEqual([])
  }, 30_000)
})

const tenantIdOf = async (key: string) => key.split('.')[1] as string

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMillis = 15_000): Promise<void> {
  const until = Date.now() + timeoutMillis
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('Timed out')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
