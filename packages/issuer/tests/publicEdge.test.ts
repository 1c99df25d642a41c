import { randomBytes } from 'node:crypto'
import { startService } from '@attesto/testing'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { HandWallet, parseOffer } from './support/HandWallet.js'
import { tenantWithIssuer } from './support/issuerFixture.js'

// The issuer's public edge over HTTP: security headers on REST and protocol answers (whose
// content types stay as they are), CORS open on protocol paths and closed on the REST API unless
// allow-listed, JSON 404/405/415 in each path's error shape, unknown fields refused by name, and
// every claim problem of an offer in one answer.

type Service = Awaited<ReturnType<typeof startService<IssuerRuntime>>>

const CONSOLE = 'https://console.example'
const WALLET = 'https://wallet.example'

describe('issuer public edge', () => {
  let service: Service
  let key = ''
  let issuerId = ''
  const wallet = new HandWallet()
  const url = (path: string) => `${service.http.url}${path}`
  const local = (credentialIssuer: string) => credentialIssuer.replace('http://issuer.test', service.http.url)

  beforeAll(async () => {
    service = await startService('issuer', createIssuerApp, {
      PUBLIC_BASE_URL: 'http://issuer.test',
      KMS_MASTER_KEY: randomBytes(32).toString('base64'),
      CORS_ALLOWED_ORIGINS: `${CONSOLE}, https://ops.example/`,
    })
    ;({ key, issuerId } = await tenantWithIssuer(service, {
      label: 'Edge',
      configurationId: 'pass',
      vct: 'https://issuer.test/pass',
      claims: [
        { name: 'given_name', type: 'string', required: true },
        { name: 'age', type: 'number', required: true },
        { name: 'member_since', type: 'date' },
      ],
    }))
  })
  afterAll(async () => {
    await service?.close()
  })

  const expectSecurityHeaders = (headers: Headers) => {
    expect(headers.get('x-powered-by')).toBeNull()
    expect(headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(headers.get('strict-transport-security')).toMatch(/^max-age=\d+/)
    expect(headers.get('x-content-type-options')).toBe('nosniff')
    expect(headers.get('x-frame-options')).toBe('SAMEORIGIN')
    expect(headers.get('referrer-policy')).toBe('no-referrer')
  }

  it('sends helmet headers on REST and protocol answers without changing their content types', async () => {
    const health = await fetch(url('/health'))
    expectSecurityHeaders(health.headers)
    expect(health.headers.get('cross-origin-resource-policy')).toBe('same-origin')

    // A whole issuance through the protocol endpoints (form token, JSON credential) still works.
    const created = await service.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'Ada', age: 36 },
    })
    expect(created.status).toBe(201)
    const offer = parseOffer(created.body.uri)
    const issuer = local(offer.credentialIssuer)
    const token = await wallet.redeem(issuer, offer.code)
    expect(token.status).toBe(200)
    expectSecurityHeaders(token.headers)
    const answer = await wallet.credential(issuer, token.body.access_token, {
      credential_configuration_id: 'pass',
      proofs: { jwt: [wallet.proof(offer.credentialIssuer, await wallet.nonce(issuer))] },
    })
    expect(answer.status).toBe(200)
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/)

    const sdJwt = answer.body.credentials[0].credential as string
    const payload = JSON.parse(Buffer.from(sdJwt.split('.')[1] as string, 'base64url').toString())
    const statusList = await fetch(local(payload.status.status_list.uri), { headers: { origin: WALLET } })
    expect(statusList.status).toBe(200)
    expect(statusList.headers.get('content-type')).toMatch(/^application\/statuslist\+jwt/)
    expect((await statusList.text()).split('.')).toHaveLength(3)
    expectSecurityHeaders(statusList.headers)
    expect(statusList.headers.get('access-control-allow-origin')).toBe('*')
    expect(statusList.headers.get('cross-origin-resource-policy')).toBe('cross-origin')
  })

  it('lets any origin read protocol endpoints, without credentials', async () => {
    const metadata = await fetch(url(`/.well-known/openid-credential-issuer/oid4vci/${issuerId}`), {
      headers: { origin: WALLET },
    })
    expect(metadata.status).toBe(200)
    expect(metadata.headers.get('access-control-allow-origin')).toBe('*')
    expect(metadata.headers.get('access-control-allow-credentials')).toBeNull()

    const preflight = await fetch(url(`/oid4vci/${issuerId}/credential`), {
      method: 'OPTIONS',
      headers: {
        origin: WALLET,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*')
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST')
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization')
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull()
  })

  it('refuses cross-origin REST calls unless the origin is allow-listed', async () => {
    const preflight = (origin: string) =>
      fetch(url('/offers'), {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      })
    const refused = await preflight(WALLET)
    expect(refused.status).toBe(403)
    expect(refused.headers.get('access-control-allow-origin')).toBeNull()
    expect(await refused.json()).toEqual({
      error: { code: 'cors_origin_not_allowed', message: expect.stringContaining('CORS_ALLOWED_ORIGINS') },
    })
    for (const origin of [CONSOLE, 'https://ops.example']) {
      const allowed = await preflight(origin)
      expect(allowed.status).toBe(204)
      expect(allowed.headers.get('access-control-allow-origin')).toBe(origin)
      expect(allowed.headers.get('vary')).toContain('Origin')
    }
    // An actual request from a foreign origin gets no CORS header: the browser hides the answer.
    const foreign = await fetch(url(`/issuers/${issuerId}`), {
      headers: { origin: WALLET, authorization: `Bearer ${key}` },
    })
    expect(foreign.status).toBe(200)
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('answers unknown routes and methods with JSON 404 and 405 (with Allow), never HTML', async () => {
    const expectJson = (response: Response) =>
      expect(response.headers.get('content-type')).toMatch(/^application\/json/)

    const missing = await fetch(url('/no-such-thing'), { headers: { authorization: `Bearer ${key}` } })
    expect(missing.status).toBe(404)
    expectJson(missing)
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'No endpoint at GET /no-such-thing' } })

    const wrongMethod = await fetch(url('/offers'), { method: 'DELETE', headers: { authorization: `Bearer ${key}` } })
    expect(wrongMethod.status).toBe(405)
    // POST makes an offer, GET lists them (HEAD with it).
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD, POST')
    expect(((await wrongMethod.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed')

    const wrongProtocolMethod = await fetch(url(`/oid4vci/${issuerId}/token`))
    expect(wrongProtocolMethod.status).toBe(405)
    expect(wrongProtocolMethod.headers.get('allow')).toBe('POST')
    expectJson(wrongProtocolMethod)
    expect(await wrongProtocolMethod.json()).toMatchObject({ error: 'method_not_allowed' })

    for (const path of [`/oid4vci/${issuerId}/nowhere`, '/.well-known/nothing-here']) {
      const response = await fetch(url(path))
      expect(response.status).toBe(404)
      expectJson(response)
      expect(await response.json()).toEqual({ error: 'not_found', error_description: `No endpoint at GET ${path}` })
    }
  })

  it('refuses bodies of the wrong media type with 415, and keeps form bodies where the protocol wants them', async () => {
    const text = await fetch(url('/offers'), {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain' },
      body: JSON.stringify({ issuerId, credentialConfigurationId: 'pass', claims: { given_name: 'Ada', age: 1 } }),
    })
    expect(text.status).toBe(415)
    expect(await text.json()).toEqual({
      error: { code: 'unsupported_media_type', message: expect.stringContaining('application/json') },
    })

    // A bare POST (no body, Content-Length: 0) is not refused for its missing media type.
    const bare = await fetch(url('/issuers'), { method: 'POST', headers: { authorization: `Bearer ${key}` } })
    expect(bare.status).toBe(201)

    const jsonToken = await fetch(url(`/oid4vci/${issuerId}/token`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code' }),
    })
    expect(jsonToken.status).toBe(415)
    expect(await jsonToken.json()).toMatchObject({
      error: 'unsupported_media_type',
      error_description: expect.stringContaining('application/x-www-form-urlencoded'),
    })

    const formCredential = await fetch(url(`/oid4vci/${issuerId}/credential`), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'credential_configuration_id=pass',
    })
    expect(formCredential.status).toBe(415)
  })

  it('refuses unknown fields in REST bodies, naming them', async () => {
    const offer = await service.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'Ada', age: 36 },
      expiresIn: 600,
    })
    expect(offer.status).toBe(400)
    expect(offer.body.error).toMatchObject({
      code: 'invalid_request',
      message: "body: unknown field 'expiresIn': remove it",
    })

    const tenant = await service.call('POST', '/tenants', service.adminApiKey, { label: 'X', plan: 'gold', seats: 3 })
    expect(tenant.status).toBe(400)
    expect(tenant.body.error.message).toBe("body: unknown fields 'plan', 'seats': remove them")

    const nested = await service.call('PUT', `/issuers/${issuerId}/credential-configurations/other`, key, {
      vct: 'https://issuer.test/other',
      claims: [{ name: 'given_name', type: 'string', mandatory: true }],
    })
    expect(nested.status).toBe(400)
    expect(nested.body.error.message).toBe("claims.0: unknown field 'mandatory': remove it")
  })

  it('reports every claim problem of an offer in one answer', async () => {
    const offer = await service.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { age: 'thirty', member_since: '2026-02-31', shoe_size: 38 },
    })
    expect(offer.status).toBe(400)
    expect(offer.body.error.code).toBe('claims_invalid')
    expect(offer.body.error.details).toEqual([
      { claim: 'shoe_size', code: 'claim_unknown', message: expect.stringContaining('shoe_size') },
      { claim: 'given_name', code: 'claim_missing', message: "Claim 'given_name' is required" },
      { claim: 'age', code: 'claim_invalid', message: "Claim 'age' must be a number" },
      { claim: 'member_since', code: 'claim_invalid', message: "Claim 'member_since' must be a date (YYYY-MM-DD)" },
    ])
    for (const name of ['shoe_size', 'given_name', 'age', 'member_since'])
      expect(offer.body.error.message).toContain(name)
  })
})
