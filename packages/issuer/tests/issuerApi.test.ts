import { Agent, get } from 'node:http'
import { holderAgent, redeemOffer, startService } from '@attesto/testing'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'

// The issuer REST API over HTTP on 127.0.0.1, storage in a fresh schema of the real
// PostgreSQL, local KMS; a holder wallet accepts an offer made through the API.

describe('issuer REST API', () => {
  let service: Awaited<ReturnType<typeof startService<IssuerRuntime>>>
  let wallet: Awaited<ReturnType<typeof holderAgent>>
  let ADMIN: string
  const call = (...args: Parameters<typeof service.call>) => service.call(...args)

  beforeAll(async () => {
    service = await startService('issuer', createIssuerApp)
    ADMIN = service.adminApiKey
    wallet = await holderAgent()
  })
  afterAll(async () => {
    await wallet?.close()
    await service?.close()
  })

  it('issues through the API: tenant, issuer, configuration, offer, wallet, status', async () => {
    expect((await call('POST', '/tenants', undefined, { label: 'University' })).status).toBe(401)
    expect((await call('POST', '/tenants', 'wrong-admin-key', { label: 'University' })).status).toBe(401)
    const tenant = await call('POST', '/tenants', ADMIN, { label: 'University' })
    expect(tenant.status).toBe(201)
    const key = tenant.body.apiKey as string
    expect(key).toMatch(/^atk\./)

    expect((await call('POST', '/issuers', undefined, {})).body.error.code).toBe('unauthorized')
    const issuer = await call('POST', '/issuers', key, { didMethod: 'jwk' })
    expect(issuer.status).toBe(201)
    expect(issuer.body.did).toMatch(/^did:jwk:/)
    const issuerId = issuer.body.issuerId as string

    const configuration = await call('PUT', `/issuers/${issuerId}/credential-configurations/diploma`, key, {
      vct: 'urn:attesto:test:diploma',
      // Display metadata must not disturb the wallet (Credo's) that reads it.
      display: [{ name: 'Diploma', locale: 'en', background_color: '#003366', text_color: '#ffffff' }],
      claims: [
        { name: 'given_name', type: 'string', required: true, display: [{ name: 'Given name', locale: 'en' }] },
        { name: 'degree', type: 'string', required: true },
        { name: 'graduated_on', type: 'date' },
        { name: 'honours', type: 'boolean', selectivelyDisclosable: false },
      ],
    })
    expect(configuration.status).toBe(200)

    // Claims are checked against the configuration, and the 400 names the claim.
    const offer = (claims: Record<string, unknown>, headers?: Record<string, string>) =>
      call('POST', '/offers', key, { issuerId, credentialConfigurationId: 'diploma', claims }, headers)
    expect((await offer({ given_name: 'Ada', degree: 'MSc', shoe_size: 38 })).body.error).toEqual({
      code: 'claim_unknown',
      message: "Claim 'shoe_size' is not defined in credential configuration 'diploma'",
    })
    expect((await offer({ given_name: 'Ada' })).body.error.code).toBe('claim_missing')
    const wrongType = await offer({ given_name: 'Ada', degree: 'MSc', graduated_on: 'last June' })
    expect(wrongType.status).toBe(400)
    expect(wrongType.body.error).toMatchObject({
      code: 'claim_invalid',
      message: expect.stringContaining('graduated_on'),
    })
    expect((await call('POST', '/offers', key, '{not json')).body.error.code).toBe('invalid_json')
    expect((await call('POST', '/offers', key, { issuerId })).body.error.code).toBe('invalid_request')

    const created = await offer({ given_name: 'Ada', degree: 'MSc', graduated_on: '2026-06-30', honours: true })
    expect(created.status).toBe(201)
    expect(created.body.uri).toMatch(/^openid-credential-offer:\/\//)
    const offerId = created.body.offerId as string
    expect((await call('GET', `/offers/${offerId}`, key)).body.status).toBe('offered')
    // The session row lives as long as the offer (7 days by default) and its last access token.
    const session = await service.runtime.offers.sessions.find(tenant.body.id, offerId)
    const expiresInDays = ((session?.expiresAt ?? 0) - Date.now()) / 86_400_000
    expect(expiresInDays).toBeGreaterThan(6.9)
    expect(Math.abs(Date.parse(created.body.expiresAt) - (session?.expiresAt ?? 0))).toBeLessThan(5_000)

    // A wallet redeems it over OID4VCI.
    const credentials = await redeemOffer(wallet.agent, created.body.uri)
    const sdJwt = credentials[0]?.record as unknown as {
      firstCredential: { prettyClaims: Record<string, unknown>; compact: string }
    }
    expect(sdJwt.firstCredential.prettyClaims).toMatchObject({ given_name: 'Ada', degree: 'MSc', honours: true })
    // honours is not selectively disclosable: it is in the signed payload itself.
    const payload = JSON.parse(
      Buffer.from(sdJwt.firstCredential.compact.split('.')[1] as string, 'base64url').toString(),
    )
    expect(payload.honours).toBe(true)
    expect(payload.given_name).toBeUndefined()

    expect((await call('GET', `/offers/${offerId}`, key)).body.status).toBe('credential_issued')
  })

  it('creates once per Idempotency-Key, and refuses the key with another body', async () => {
    const { body: tenant } = await call('POST', '/tenants', ADMIN, { label: 'Idempotent' })
    const key = tenant.apiKey as string
    const headers = { 'idempotency-key': 'create-issuer-1' }
    const first = await call('POST', '/issuers', key, { didMethod: 'key' }, headers)
    const again = await call('POST', '/issuers', key, { didMethod: 'key' }, headers)
    expect(first.status).toBe(201)
    expect(again.status).toBe(201)
    expect(again.body.issuerId).toBe(first.body.issuerId)
    const other = await call('POST', '/issuers', key, { didMethod: 'jwk' }, headers)
    expect(other.status).toBe(422)
    expect(other.body.error.code).toBe('idempotency_key_reused')
  })

  it('answers 404 for another tenant’s issuer and offer, never the data', async () => {
    const a = (await call('POST', '/tenants', ADMIN, { label: 'A' })).body.apiKey as string
    const b = (await call('POST', '/tenants', ADMIN, { label: 'B' })).body.apiKey as string
    const issuerId = (await call('POST', '/issuers', a, {})).body.issuerId as string
    await call('PUT', `/issuers/${issuerId}/credential-configurations/card`, a, {
      vct: 'urn:attesto:test:card',
      claims: [{ name: 'number', type: 'string' }],
    })
    const offerId = (
      await call('POST', '/offers', a, { issuerId, credentialConfigurationId: 'card', claims: { number: '1' } })
    ).body.offerId as string
    expect((await call('GET', `/issuers/${issuerId}`, b)).status).toBe(404)
    expect((await call('GET', `/offers/${offerId}`, b)).body.error.code).toBe('offer_not_found')
    expect(
      (await call('POST', '/offers', b, { issuerId, credentialConfigurationId: 'card', claims: { number: '1' } })).body
        .error.code,
    ).toBe('issuer_not_found')
    expect((await call('GET', `/offers/${offerId}`, a)).status).toBe(200)
  })

  it('serves the metadata documents without the REST API answering them a second time', async () => {
    const key = (await call('POST', '/tenants', ADMIN, { label: 'Metadata' })).body.apiKey as string
    const issuerId = (await call('POST', '/issuers', key, {})).body.issuerId as string
    // A second answer to a request Credo has answered makes express drop the connection, so the
    // next request on a keep-alive connection would have to open a new one.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const reused: boolean[] = []
    try {
      for (const path of ['openid-credential-issuer', 'oauth-authorization-server', 'openid-credential-issuer']) {
        await new Promise<void>((resolve, reject) => {
          const request = get(`${service.http.url}/.well-known/${path}/oid4vci/${issuerId}`, { agent }, (response) => {
            expect(response.statusCode).toBe(200)
            reused.push(request.reusedSocket)
            response.resume().on('end', resolve)
          })
          request.on('error', reject)
        })
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    } finally {
      agent.destroy()
    }
    expect(reused).toEqual([false, true, true])
  })

  it('serves its OpenAPI document', async () => {
    const { status, body } = await call('GET', '/openapi.json')
    expect(status).toBe(200)
    expect(body.openapi).toBe('3.1.0')
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/tenants',
        '/issuers',
        '/issuers/{issuerId}',
        '/offers',
        '/offers/{offerId}',
        '/offer-batches',
        '/offer-batches/{batchId}',
        '/offer-batches/{batchId}/results',
      ]),
    )
  })
})
