import {
  createDiplomaOffer,
  holderAgent,
  redeemOffer,
  startIssuer,
  startService,
  VCT,
} from '@attesto/agent-runtime/testing'
import { createVerifierApp, type VerifierRuntime } from '../src/app.js'

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
  const degreeQuery = {
    credentials: [{ id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [VCT] }, claims: [{ path: ['degree'] }] }],
  }

  /** Issues a diploma to the wallet from the issuer agent. */
  async function issueDiploma() {
    const offer = await createDiplomaOffer(issuer.runtime.agent.context, {
      given_name: 'Ada',
      degree: 'MSc Mathematics',
    })
    issuerDid = offer.issuerDid
    const [credential] = await redeemOffer(wallet.agent, offer.credentialOffer)
    await wallet.agent.sdJwtVc.store({ record: credential?.record as never })
  }

  /** The wallet answers a request URI, disclosing only what the DCQL query asks for. */
  async function present(uri: string) {
    const holder = wallet.agent
    const request = await holder.openid4vc.holder.resolveOpenId4VpAuthorizationRequest(uri)
    return holder.openid4vc.holder.acceptOpenId4VpAuthorizationRequest({
      authorizationRequestPayload: request.authorizationRequestPayload,
      dcql: {
        credentials: holder.openid4vc.holder.selectCredentialsForDcqlRequest(request.dcql?.queryResult as never),
      },
    })
  }

  beforeAll(async () => {
    verifier = await startService('verifier', createVerifierApp)
    issuer = await startIssuer()
    wallet = await holderAgent()
    await issueDiploma()
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
    const request = await call('POST', '/presentation-requests', key, { verifierId, dcql: { query: degreeQuery } })
    expect(request.status).toBe(201)
    expect(request.body.uri).toMatch(/^openid4vp:\/\//)
    expect((await call('GET', `/presentation-requests/${request.body.requestId}`, key)).body.status).toBe('pending')
    await present(request.body.uri)
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

    const request = await call('POST', '/presentation-requests', key, { verifierId, dcql: { query: degreeQuery } })
    await present(request.body.uri)
    const result = await call('GET', `/presentation-requests/${request.body.requestId}`, key)
    expect(result.body.status).toBe('verified')
    expect(result.body.credentials).toEqual([
      { queryId: 'diploma', issuer: issuerDid, vct: VCT, claims: { degree: 'MSc Mathematics' } },
    ])
  })

  it('creates requests from a stored template', async () => {
    const saved = await call('PUT', '/presentation-templates/degree-check', key, {
      label: 'Degree only',
      dcql: { query: degreeQuery },
    })
    expect(saved.status).toBe(200)
    expect((await call('GET', '/presentation-templates', key)).body.templates).toEqual([
      { templateId: 'degree-check', label: 'Degree only', dcql: { query: degreeQuery } },
    ])
    const request = await call('POST', '/presentation-requests', key, { verifierId, templateId: 'degree-check' })
    expect(request.status).toBe(201)
    await present(request.body.uri)
    const result = await call('GET', `/presentation-requests/${request.body.requestId}`, key)
    expect(result.body.credentials?.[0]?.claims).toEqual({ degree: 'MSc Mathematics' })

    const both = await call('POST', '/presentation-requests', key, {
      verifierId,
      templateId: 'degree-check',
      dcql: { query: degreeQuery },
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
      (await call('POST', '/presentation-requests', key, { verifierId: 'nope', dcql: { query: degreeQuery } })).body
        .error.code,
    ).toBe('verifier_not_found')
    expect((await call('PUT', '/trusted-issuers/not-a-did', key, {})).status).toBe(400)

    const request = await call('POST', '/presentation-requests', key, { verifierId, dcql: { query: degreeQuery } })
    const other = (await call('POST', '/tenants', verifier.adminApiKey, { label: 'Airline' })).body.apiKey
    expect((await call('GET', `/presentation-requests/${request.body.requestId}`, other)).status).toBe(404)
    expect((await call('GET', `/verifiers/${verifierId}`, other)).status).toBe(404)
    expect((await call('GET', '/openapi.json')).body.paths['/presentation-requests']).toBeDefined()
  })
})
