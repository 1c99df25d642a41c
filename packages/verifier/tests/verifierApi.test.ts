import { holderAgent, startIssuer, startService, VCT } from '@attesto/testing'
import { createVerifierApp, type VerifierRuntime } from '../src/app.js'
import { DEGREE_QUERY, issueDiplomaTo, presentFrom } from './support/diplomaHolder.js'

// The verifier REST API over HTTP on 127.0.0.1 (real PostgreSQL, local KMS). A Credo issuer on
// the same stack issues a diploma to a holder wallet, which then answers the API's requests.

describe('verifier REST API', () => {
  let verifier: Awaited<ReturnType<typeof startService<VerifierRuntime>>>
  let issuer: Awaited<ReturnType<typeof startIssuer>>
  let wallet: Awaited<ReturnType<typeof holderAgent>>
  let issuerDid = ''
  let key = ''
  let verifierId = ''
  const call = (...args: Parameters<typeof verifier.call>) => verifier.call(...args)

  beforeAll(async () => {
    verifier = await startService('verifier', createVerifierApp)
    issuer = await startIssuer()
    wallet = await holderAgent()
    const diploma = { given_name: 'Ada', degree: 'MSc Mathematics' }
    issuerDid = (await issueDiplomaTo(wallet, issuer.runtime.agent.context, diploma)).issuerDid
    key = (await call('POST', '/tenants', verifier.adminApiKey, { label: 'Bank' })).body.apiKey
    const created = await call('POST', '/verifiers', key, {})
    expect(created.status).toBe(201)
    verifierId = created.body.verifierId
  })
  afterAll(async () => {
    await wallet?.close()
    await issuer?.close()
    await verifier?.close()
  })

  it('rejects a presentation from an issuer the tenant does not trust, with the reason', async () => {
    const request = await call('POST', '/presentation-requests', key, { verifierId, dcql: { query: DEGREE_QUERY } })
    expect(request.status).toBe(201)
    expect(request.body.uri).toMatch(/^openid4vp:\/\//)
    expect((await call('GET', `/presentation-requests/${request.body.requestId}`, key)).body.status).toBe('pending')
    await presentFrom(wallet, request.body.uri)
    const result = await call('GET', `/presentation-requests/${request.body.requestId}`, key)
    expect(result.body.status).toBe('rejected')
    expect(result.body.reason.code).toBe('untrusted_issuer')
    expect(result.body.reason.message).toContain(issuerDid)
    expect(result.body.credentials).toBeUndefined()
  })

  it('verifies a presentation from a trusted issuer and returns only the disclosed claims', async () => {
    const trusted = await call('PUT', `/trusted-issuers/${encodeURIComponent(issuerDid)}`, key, { label: 'University' })
    expect(trusted.status).toBe(200)
    expect((await call('GET', '/trusted-issuers', key)).body.trustedIssuers).toEqual([
      { did: issuerDid, label: 'University' },
    ])

    const request = await call('POST', '/presentation-requests', key, { verifierId, dcql: { query: DEGREE_QUERY } })
    await presentFrom(wallet, request.body.uri)
    const result = await call('GET', `/presentation-requests/${request.body.requestId}`, key)
    expect(result.body.status).toBe('verified')
    expect(result.body.credentials).toEqual([
      { queryId: 'diploma', issuer: issuerDid, vct: VCT, claims: { degree: 'MSc Mathematics' } },
    ])
  })

  it('creates requests from a stored template', async () => {
    const saved = await call('PUT', '/presentation-templates/degree-check', key, {
      label: 'Degree only',
      dcql: { query: DEGREE_QUERY },
    })
    expect(saved.status).toBe(200)
    expect((await call('GET', '/presentation-templates', key)).body.templates).toEqual([
      { templateId: 'degree-check', label: 'Degree only', dcql: { query: DEGREE_QUERY } },
    ])
    const request = await call('POST', '/presentation-requests', key, { verifierId, templateId: 'degree-check' })
    expect(request.status).toBe(201)
    await presentFrom(wallet, request.body.uri)
    const result = await call('GET', `/presentation-requests/${request.body.requestId}`, key)
    expect(result.body.credentials?.[0]?.claims).toEqual({ degree: 'MSc Mathematics' })

    const both = await call('POST', '/presentation-requests', key, {
      verifierId,
      templateId: 'degree-check',
      dcql: { query: DEGREE_QUERY },
    })
    expect(both.body.error.code).toBe('invalid_request')
    expect(
      (await call('POST', '/presentation-requests', key, { verifierId, templateId: 'nope' })).body.error.code,
    ).toBe('template_not_found')
    expect((await call('PUT', '/presentation-templates/x', key, { dcql: { query: { credentials: [] } } })).status).toBe(
      400,
    )
    expect((await call('DELETE', '/presentation-templates/degree-check', key)).status).toBe(204)
    expect((await call('DELETE', '/presentation-templates/degree-check', key)).body.error.code).toBe(
      'template_not_found',
    )
  })

  it('validates its input, and hides other tenants’ requests and verifiers', async () => {
    const bad = await call('POST', '/presentation-requests', key, { verifierId, dcql: { query: { credentials: [] } } })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('invalid_request')
    expect(
      (await call('POST', '/presentation-requests', key, { verifierId: 'nope', dcql: { query: DEGREE_QUERY } })).body
        .error.code,
    ).toBe('verifier_not_found')
    expect((await call('PUT', '/trusted-issuers/not-a-did', key, {})).status).toBe(400)

    const request = await call('POST', '/presentation-requests', key, { verifierId, dcql: { query: DEGREE_QUERY } })
    const other = (await call('POST', '/tenants', verifier.adminApiKey, { label: 'Airline' })).body.apiKey
    expect((await call('GET', `/presentation-requests/${request.body.requestId}`, other)).status).toBe(404)
    expect((await call('GET', `/verifiers/${verifierId}`, other)).status).toBe(404)
    expect((await call('GET', '/openapi.json')).body.paths['/presentation-requests']).toBeDefined()
  })
})
