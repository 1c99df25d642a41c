import { type FuzzedEndpoint, fuzzEndpoints, fuzzedTimestamp, startService } from '@attesto/testing'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { tenantWithIssuer } from './support/issuerFixture.js'

// The issuer's management endpoints under fuzzed paths, queries, bodies and headers, and the
// list endpoints under fuzzed cursors and filters (fast-check, fixed seed): no answer is a 5xx,
// and a cursor that is not one the list answered is 400 invalid_cursor. Real PostgreSQL.

type Service = Awaited<ReturnType<typeof startService<IssuerRuntime>>>

/** Cursors a client might forge: the right shape with wrong parts, other shapes, garbage. */
const forgedCursor = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('offers', 'issuers', 'tenants', 'webhooks', 'offer-batches', 'x'),
      fc.oneof(
        fc.string({ maxLength: 20 }),
        fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String),
        fc.integer(),
      ),
      fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('\u0000', 'a\u0000b', '\ud800', ''), fc.integer()),
    )
    .map((parts) => Buffer.from(JSON.stringify(parts)).toString('base64url')),
  fc.json().map((json) => Buffer.from(json).toString('base64url')),
  fc.string({ maxLength: 60 }),
)

describe('issuer management API under fuzzed input', () => {
  let service: Service
  let key = ''
  let issuerId = ''
  let offerId = ''

  beforeAll(async () => {
    service = await startService('issuer', createIssuerApp)
    ;({ key, issuerId } = await tenantWithIssuer(service, {
      label: 'Fuzz',
      configurationId: 'card',
      vct: 'urn:attesto:test:card',
      claims: [{ name: 'name', type: 'string', required: true }],
    }))
    for (let index = 0; index < 3; index++) {
      offerId = (
        await service.call('POST', '/offers', key, {
          issuerId,
          credentialConfigurationId: 'card',
          claims: { name: 'A' },
        })
      ).body.offerId
    }
  }, 60_000)
  afterAll(async () => {
    await service?.close()
  })

  it('answers no fuzzed cursor or filter with a 5xx; forged cursors are 400 invalid_cursor', async () => {
    const lists = [
      '/offers',
      '/issuers',
      `/issuers/${issuerId}/credential-configurations`,
      '/offer-batches',
      '/webhooks',
    ]
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...lists),
        forgedCursor,
        fc.option(fc.constantFrom('offered', 'cancelled', 'expired', 'lost')),
        fuzzedTimestamp,
        async (path, cursor, status, createdFrom) => {
          const query = new URLSearchParams({ limit: '1', cursor })
          if (path === '/offers' && status) query.set('status', status)
          if (path === '/offers' && createdFrom) query.set('createdFrom', createdFrom)
          const answer = await service.call('GET', `${path}?${query}`, key)
          expect(answer.status).toBeLessThan(500)
          if (answer.status === 400 && answer.body.error.code !== 'invalid_request') {
            expect(['invalid_cursor', 'invalid_string']).toContain(answer.body.error.code)
          }
        },
      ),
      { numRuns: 150, seed: 20261129 },
    )
  }, 120_000)

  it('answers no fuzzed management request with a 5xx', async () => {
    const bearer = `Bearer ${key}`
    const admin = `Bearer ${service.adminApiKey}`
    const values = {
      issuerId,
      offerId,
      configurationId: 'card',
      keyId: '0123456789abcdef',
      tenantId: key.split('.')[1] as string,
    }
    const endpoints: FuzzedEndpoint[] = [
      { method: 'GET', path: '/tenants', bearer: admin },
      { method: 'POST', path: '/tenants/:tenantId/api-keys', bearer: admin, values, example: { name: 'x' } },
      { method: 'GET', path: '/api-keys', bearer },
      { method: 'POST', path: '/api-keys', bearer, example: { name: 'x', expiresInSeconds: 3600 } },
      { method: 'DELETE', path: '/api-keys/:keyId', bearer, values },
      { method: 'GET', path: '/offers', bearer },
      { method: 'GET', path: '/issuers', bearer },
      { method: 'GET', path: '/issuers/:issuerId/credential-configurations', bearer, values },
      { method: 'GET', path: '/offer-batches', bearer },
      { method: 'POST', path: '/offers/:offerId/cancel', bearer, values },
      { method: 'DELETE', path: '/issuers/:issuerId/credential-configurations/:configurationId', bearer, values },
      { method: 'DELETE', path: '/issuers/:issuerId', bearer, values },
    ]
    expect(await fuzzEndpoints(service.http.url, endpoints, 30)).toEqual([])
  }, 180_000)
})
