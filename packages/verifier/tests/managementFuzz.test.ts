import {
  type FuzzedEndpoint,
  fuzzEndpoints,
  fuzzedTimestamp,
  startService,
  tenantWithVerifier,
  VCT,
} from '@attesto/testing'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { createVerifierApp, type VerifierRuntime } from '../src/app.js'

// The verifier's management endpoints (its certificate's among them) under fuzzed paths, queries, bodies and headers, and its
// lists under fuzzed cursors and filters (fast-check, fixed seed): no answer is a 5xx. Real PostgreSQL.

type Service = Awaited<ReturnType<typeof startService<VerifierRuntime>>>

const forgedCursor = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('presentation-requests', 'verifiers', 'trusted-issuers', 'presentation-templates', 'x'),
      fc.oneof(fc.string({ maxLength: 20 }), fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String)),
      fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('\u0000', '\ud800', '')),
    )
    .map((parts) => Buffer.from(JSON.stringify(parts)).toString('base64url')),
  fc.string({ maxLength: 60 }),
)

describe('verifier management API under fuzzed input', () => {
  let service: Service
  let key = ''
  let verifierId = ''
  let requestId = ''

  beforeAll(async () => {
    service = await startService('verifier', createVerifierApp)
    ;({ key, verifierId } = await tenantWithVerifier(service, 'Fuzz'))
    const query = {
      credentials: [{ id: 'd', format: 'dc+sd-jwt', meta: { vct_values: [VCT] }, claims: [{ path: ['degree'] }] }],
    }
    for (let index = 0; index < 3; index++) {
      requestId = (await service.call('POST', '/presentation-requests', key, { verifierId, dcql: { query } })).body
        .requestId
    }
  }, 60_000)
  afterAll(async () => {
    await service?.close()
  })

  it('answers no fuzzed cursor or filter with a 5xx', async () => {
    const lists = ['/presentation-requests', '/verifiers', '/trusted-issuers', '/presentation-templates']
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...lists),
        forgedCursor,
        fc.option(fc.constantFrom('pending', 'cancelled', 'expired', 'lost')),
        fuzzedTimestamp,
        async (path, cursor, status, createdBefore) => {
          const query = new URLSearchParams({ limit: '1', cursor })
          if (path === '/presentation-requests' && status) query.set('status', status)
          if (path === '/presentation-requests' && createdBefore) query.set('createdBefore', createdBefore)
          expect((await service.call('GET', `${path}?${query}`, key)).status).toBeLessThan(500)
        },
      ),
      { numRuns: 120, seed: 20261129 },
    )
  }, 120_000)

  it('answers no fuzzed management request with a 5xx', async () => {
    const bearer = `Bearer ${key}`
    const values = { verifierId, requestId }
    const endpoints: FuzzedEndpoint[] = [
      { method: 'GET', path: '/presentation-requests', bearer },
      { method: 'GET', path: '/verifiers', bearer },
      { method: 'GET', path: '/trusted-issuers', bearer },
      { method: 'GET', path: '/presentation-templates', bearer },
      { method: 'POST', path: '/presentation-requests/:requestId/cancel', bearer, values },
      {
        method: 'POST',
        path: '/verifiers/:verifierId/certificate-signing-request',
        bearer,
        values,
        example: { commonName: 'Bank', organization: 'Bank', country: 'NL', dnsNames: ['verifier.example'] },
      },
      {
        method: 'PUT',
        path: '/verifiers/:verifierId/certificate',
        bearer,
        values,
        example: { chain: ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', 'MIIB'] },
      },
      { method: 'DELETE', path: '/verifiers/:verifierId/certificate', bearer, values },
      { method: 'DELETE', path: '/verifiers/:verifierId', bearer, values },
    ]
    expect(await fuzzEndpoints(service.http.url, endpoints, 30)).toEqual([])
  }, 180_000)
})
