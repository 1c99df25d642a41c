import { startService, VCT } from '@attesto/testing'
import { createVerifierApp, type VerifierRuntime } from '../src/app.js'

// The verifier's public edge over HTTP: the request object keeps its media type under the
// security headers and is readable from any origin, the response endpoint takes form and JSON
// bodies only, unknown routes, methods and fields are refused in JSON, and without Redis the
// per-address limit counts in process.

describe('verifier public edge', () => {
  let verifier: Awaited<ReturnType<typeof startService<VerifierRuntime>>>
  let key = ''
  let verifierId = ''
  const url = (path: string) => `${verifier.http.url}${path}`
  const query = { credentials: [{ id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [VCT] } }] }

  beforeAll(async () => {
    verifier = await startService('verifier', createVerifierApp, {
      PROTOCOL_REQUESTS_PER_MINUTE_PER_ADDRESS: '4',
      TRUST_PROXY_HOPS: '1',
    })
    key = (await verifier.call('POST', '/tenants', verifier.adminApiKey, { label: 'Bank' })).body.apiKey
    verifierId = (await verifier.call('POST', '/verifiers', key, {})).body.verifierId
  })
  afterAll(async () => {
    await verifier?.close()
  })

  it('serves the request object as application/oauth-authz-req+jwt with security and CORS headers', async () => {
    const created = await verifier.call('POST', '/presentation-requests', key, { verifierId, dcql: { query } })
    expect(created.status).toBe(201)
    const requestUri = new URL(created.body.uri).searchParams.get('request_uri') as string
    const response = await fetch(requestUri, { headers: { origin: 'https://wallet.example' } })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/oauth-authz-req\+jwt/)
    expect((await response.text()).split('.')).toHaveLength(3)
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(response.headers.get('x-powered-by')).toBeNull()
    expect(response.headers.get('access-control-allow-origin')).toBe('*')

    const preflight = await fetch(url(`/oid4vp/${verifierId}/authorize`), {
      method: 'OPTIONS',
      headers: { origin: 'https://wallet.example', 'access-control-request-method': 'POST' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*')
  })

  it('takes form or JSON responses only, and answers unknown methods and fields in JSON', async () => {
    const authorize = (contentType: string, body: string) =>
      fetch(url(`/oid4vp/${verifierId}/authorize`), { method: 'POST', headers: { 'content-type': contentType }, body })
    const xml = await authorize('application/xml', '<vp_token/>')
    expect(xml.status).toBe(415)
    expect(await xml.json()).toMatchObject({ error: 'unsupported_media_type' })
    // A form or JSON body gets past the edge to the endpoint, which refuses it on its merits.
    for (const [type, body] of [
      ['application/x-www-form-urlencoded', 'state=nothing'],
      ['application/json', '{"state":"nothing"}'],
    ] as const) {
      const response = await authorize(type, body)
      expect(response.status).toBe(400)
      expect(((await response.json()) as { error: string }).error).not.toBe('unsupported_media_type')
    }

    const get = await fetch(url(`/oid4vp/${verifierId}/authorize`))
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')

    const unknown = await verifier.call('POST', '/presentation-requests', key, {
      verifierId,
      dcql: { query, purpose: 'kyc' },
    })
    expect(unknown.status).toBe(400)
    expect(unknown.body.error.message).toBe("dcql: unknown field 'purpose': remove it")
  })

  it('limits protocol requests per address in process without Redis', async () => {
    const path = url(`/oid4vp/${verifierId}/authorization-requests/unknown-request`)
    // Behind one balancer (TRUST_PROXY_HOPS=1) the client is the last X-Forwarded-For entry.
    const from = (address: string) => fetch(path, { headers: { 'x-forwarded-for': `10.1.1.1, ${address}` } })
    const statuses: number[] = []
    for (let index = 0; index < 4; index++) statuses.push((await from('203.0.113.9')).status)
    expect(statuses).toEqual([404, 404, 404, 404])
    expect((await from('198.51.100.9')).status).toBe(404)
    const limited = await from('203.0.113.9')
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await limited.json()).toMatchObject({ error: 'too_many_requests' })
  })
})
