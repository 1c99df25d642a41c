import { randomBytes } from 'node:crypto'
import { DevelopmentCa } from '@attesto/protocol-kit'
import { REDIS_URL, silentLogger, startService, WebhookReceiver, waitFor } from '@attesto/testing'
import { checkedCalls, exerciseKeyManagement, expectProbesUp } from '@attesto/testing/openapi'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { loadBatchConfig } from '../src/batches/batchConfig.js'
import { OfferBatchWorker } from '../src/batches/offerBatchWorker.js'
import { HandWallet, parseOffer } from './support/HandWallet.js'
import { MDL_CONFIGURATION } from './support/mdocFixture.js'

// Every operation of the issuer's OpenAPI document, driven over HTTP through a whole flow (tenant,
// issuer, configurations, offers, a wallet taking a credential, its status, batches, deferred
// claims, webhooks, the admin reports): each answer's status must be listed for its operation and
// its body must match that response's schema in the document the service serves. The document is
// generated from the zod schemas, so it cannot drift from what the routes answer without this failing.

describe('the issuer answers as its OpenAPI document says', () => {
  const prefix = `test${randomBytes(4).toString('hex')}`
  const batchConfig = loadBatchConfig({ BATCH_CHUNK_SIZE: '2' })
  const receiver = new WebhookReceiver()
  const wallet = new HandWallet()
  let service: Awaited<ReturnType<typeof startService<IssuerRuntime>>>
  let worker: OfferBatchWorker

  beforeAll(async () => {
    await receiver.start()
    service = await startService('issuer', (config, logger) => createIssuerApp(config, logger, batchConfig), {
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      WEBHOOK_ALLOW_INSECURE: 'true',
      TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
    })
    service.runtime.statusChanges?.startWorking(service.runtime.credentialStatus, silentLogger)
    worker = new OfferBatchWorker({
      root: service.runtime.agent.context,
      offers: service.runtime.offers,
      redis: REDIS_URL,
      prefix,
      config: batchConfig,
      logger: silentLogger,
    }).start()
  })
  afterAll(async () => {
    await worker?.close()
    await service?.close()
    await receiver.close()
  })

  it('answers every operation with a status and a body its document describes', async () => {
    const { call, checker } = await checkedCalls(service.call)
    const admin = service.adminApiKey
    await expectProbesUp(call)

    // Tenants: errors have the Error body too.
    expect((await call('POST', '/tenants', undefined, { label: 'University' })).status).toBe(401)
    expect((await call('POST', '/tenants', admin, { label: '' })).status).toBe(400)
    const tenant = await call('POST', '/tenants', admin, { label: 'University' })
    expect(tenant.status).toBe(201)
    const key = tenant.body.apiKey as string

    // Issuers and configurations.
    const display = [{ name: 'University', locale: 'en', logo: { uri: 'https://university.example/logo.png' } }]
    const issuer = await call('POST', '/issuers', key, { didMethod: 'jwk', display })
    expect(issuer.status).toBe(201)
    const issuerId = issuer.body.issuerId as string
    expect((await call('GET', `/issuers/${issuerId}`, key)).status).toBe(200)
    expect((await call('GET', '/issuers/no-such-issuer', key)).status).toBe(404)
    expect((await call('PATCH', `/issuers/${issuerId}`, key, { display: [{ name: 'Univ.' }] })).status).toBe(200)
    expect((await call('PATCH', `/issuers/${issuerId}`, key, { display: [] })).status).toBe(400)

    // The issuer's X.509 identity: a signing request, a chain from a CA, its removal.
    const csr = await call('POST', `/issuers/${issuerId}/certificate-signing-request`, key, {
      commonName: 'University',
    })
    expect(csr.status).toBe(200)
    expect((await call('POST', `/issuers/${issuerId}/certificate-signing-request`, key, {})).status).toBe(400)
    const chain = await (await DevelopmentCa.create()).issue(csr.body.csr)
    expect((await call('PUT', `/issuers/${issuerId}/certificate`, key, { chain })).status).toBe(200)
    expect((await call('PUT', `/issuers/${issuerId}/certificate`, key, { chain: 'x' })).status).toBe(400)
    expect((await call('GET', `/issuers/${issuerId}`, key)).body.certificate.chainLength).toBe(2)
    expect((await call('DELETE', `/issuers/${issuerId}/certificate`, key)).status).toBe(204)
    expect((await call('DELETE', '/issuers/no-such-issuer/certificate', key)).status).toBe(404)
    const pass = await call('PUT', `/issuers/${issuerId}/credential-configurations/pass`, key, {
      vct: 'https://issuer.test/pass',
      display: [{ name: 'Pass', locale: 'en', background_color: '#003366' }],
      claims: [
        { name: 'given_name', type: 'string', required: true, display: [{ name: 'Given name' }] },
        { name: 'valid_on', type: 'date' },
      ],
    })
    expect(pass.status).toBe(200)
    const deferred = await call('PUT', `/issuers/${issuerId}/credential-configurations/later`, key, {
      vct: 'https://issuer.test/later',
      deferred: true,
      revocable: false,
      claims: [{ name: 'given_name', type: 'string', required: true }],
    })
    expect(deferred.status).toBe(200)
    const issuerView = await call('GET', `/issuers/${issuerId}`, key)
    expect(issuerView.body.credentialConfigurations).toHaveLength(2)

    // The lists, page by page: the cursor of a page reads the next one.
    expect((await call('GET', '/issuers?limit=10', key)).body.issuers).toHaveLength(1)
    expect((await call('GET', '/issuers?limit=101', key)).status).toBe(400)
    const configurations = await call('GET', `/issuers/${issuerId}/credential-configurations?limit=1`, key)
    expect(configurations.body.credentialConfigurations.map(({ id }: { id: string }) => id)).toEqual(['later'])
    const lastConfigurations = await call(
      'GET',
      `/issuers/${issuerId}/credential-configurations?limit=1&cursor=${configurations.body.next_cursor}`,
      key,
    )
    expect(lastConfigurations.body).toMatchObject({ credentialConfigurations: [{ id: 'pass' }], next_cursor: null })
    expect((await call('GET', '/issuers/no-such-issuer/credential-configurations', key)).status).toBe(404)
    expect((await call('GET', `/issuers/${issuerId}/credential-configurations?cursor=x`, key)).status).toBe(400)

    // An offer, with a transaction code; a wallet takes the credential.
    const offer = await call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'Ada', valid_on: '2026-06-30' },
      txCode: { length: 6 },
    })
    expect(offer.status).toBe(201)
    expect(offer.body.txCode).toMatch(/^\d{6}$/)
    const offerId = offer.body.offerId as string
    expect(
      (await call('POST', '/offers', key, { issuerId, credentialConfigurationId: 'pass', claims: {} })).status,
    ).toBe(400)
    expect((await call('GET', `/offers/${offerId}`, key)).body.status).toBe('offered')
    const { credentialIssuer, code } = parseOffer(offer.body.uri)
    const token = await wallet.redeem(credentialIssuer, code, offer.body.txCode)
    expect(token.status).toBe(200)
    const credential = await wallet.credential(credentialIssuer, token.body.access_token, {
      credential_configuration_id: 'pass',
      proofs: { jwt: [wallet.proof(credentialIssuer, await wallet.nonce(credentialIssuer))] },
    })
    expect(credential.status).toBe(200)
    const issued = await call('GET', `/offers/${offerId}`, key)
    expect(issued.body).toMatchObject({ status: 'credential_issued', credentialStatus: { status: 'valid' } })
    expect((await call('GET', '/offers/00000000-0000-4000-8000-000000000000', key)).status).toBe(404)
    const issuedOffers = await call('GET', `/offers?status=credential_issued&issuerId=${issuerId}`, key)
    expect(issuedOffers.body).toMatchObject({ offers: [{ offerId, status: 'credential_issued' }], next_cursor: null })
    expect((await call('GET', '/offers?status=lost', key)).status).toBe(400)

    // An offer cancelled before its code is redeemed; a redeemed one cannot be.
    const unwanted = await call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'Grace' },
    })
    const cancelled = await call('POST', `/offers/${unwanted.body.offerId}/cancel`, key)
    expect(cancelled.body).toMatchObject({ offerId: unwanted.body.offerId, status: 'cancelled' })
    expect((await call('POST', `/offers/${offerId}/cancel`, key)).status).toBe(409)
    expect((await call('POST', '/offers/00000000-0000-4000-8000-000000000000/cancel', key)).status).toBe(404)
    const cancelledOffers = await call('GET', '/offers?status=cancelled&createdFrom=2020-01-01T00:00:00Z', key)
    expect(cancelledOffers.body.offers).toMatchObject([
      { offerId: unwanted.body.offerId, cancelledAt: expect.any(String) },
    ])

    // Its status: suspended, valid again, revoked for good.
    expect((await call('POST', `/offers/${offerId}/status`, key, { status: 'suspended' })).body.changed).toBe(true)
    expect((await call('POST', `/offers/${offerId}/status`, key, { status: 'valid' })).status).toBe(200)
    expect((await call('POST', `/offers/${offerId}/status`, key, { status: 'revoked' })).status).toBe(200)
    expect((await call('POST', `/offers/${offerId}/status`, key, { status: 'valid' })).status).toBe(409)
    const bulk = await call('POST', '/status-change-batches', key, {
      status: 'revoked',
      offerIds: [offerId, '00000000-0000-4000-8000-000000000000'],
    })
    expect(bulk.status).toBe(202)
    const bulkDone = await waitFor(async () => {
      const { body } = await call('GET', `/status-change-batches/${bulk.body.batchId}`, key)
      return body.state === 'finished' ? body : undefined
    }, 'the status change batch to finish')
    expect(bulkDone.result).toMatchObject({ unchanged: 1, notFound: ['00000000-0000-4000-8000-000000000000'] })

    // A deferred offer, its claims approved later.
    const later = await call('POST', '/offers', key, { issuerId, credentialConfigurationId: 'later' })
    expect(later.status).toBe(201)
    const approved = await call('PUT', `/offers/${later.body.offerId}/claims`, key, { claims: { given_name: 'Ada' } })
    expect(approved.status).toBe(202)
    expect((await call('PUT', `/offers/${offerId}/claims`, key, { claims: { given_name: 'Ada' } })).status).toBe(409)

    // A batch: offered rows, an invalid row, and its results.
    const batch = await call('POST', '/offer-batches', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      txCodeLength: 4,
      rows: [{ given_name: 'Ada', '@key': 'a-1' }, { shoe_size: 38 }, { given_name: 'Grace' }],
    })
    expect(batch.status).toBe(202)
    const batchId = batch.body.batchId as string
    await waitFor(async () => {
      const { body } = await call('GET', `/offer-batches/${batchId}`, key)
      return body.status === 'finished' ? body : undefined
    }, 'the offer batch to finish')
    const results = await call('GET', `/offer-batches/${batchId}/results`, key)
    expect(results.body.rows.map((row: { status: string }) => row.status)).toEqual(['offered', 'invalid', 'offered'])
    expect((await call('GET', '/offer-batches/no-such-batch', key)).status).toBe(404)
    expect((await call('GET', '/offer-batches?limit=5', key)).body.offerBatches).toMatchObject([{ batchId }])
    expect((await call('GET', '/offer-batches?batchId=1', key)).status).toBe(400)

    // An mso_mdoc configuration on an issuer of its own: refused without a document-signer
    // certificate, saved with one, which then cannot be removed until the configuration is.
    const mdocIssuerId = (await call('POST', '/issuers', key, {})).body.issuerId as string
    const putMdl = () => call('PUT', `/issuers/${mdocIssuerId}/credential-configurations/mdl`, key, MDL_CONFIGURATION)
    expect((await putMdl()).status).toBe(409)
    const signerCsr = await call('POST', `/issuers/${mdocIssuerId}/certificate-signing-request`, key, {
      commonName: 'Roads',
      mdocDocumentSigner: true,
    })
    const national = await DevelopmentCa.create({ name: 'National', country: 'NL' })
    const signerChain = await national.issue(signerCsr.body.csr)
    expect((await call('PUT', `/issuers/${mdocIssuerId}/certificate`, key, { chain: signerChain })).status).toBe(200)
    expect((await putMdl()).status).toBe(200)
    expect((await call('GET', `/issuers/${mdocIssuerId}`, key)).body.credentialConfigurations).toHaveLength(1)
    expect((await call('GET', `/issuers/${mdocIssuerId}/credential-configurations`, key)).status).toBe(200)
    const countryless = await (await DevelopmentCa.create()).issue(signerCsr.body.csr)
    expect((await call('PUT', `/issuers/${mdocIssuerId}/certificate`, key, { chain: countryless })).status).toBe(409)
    expect((await call('DELETE', `/issuers/${mdocIssuerId}/certificate`, key)).status).toBe(409)
    expect((await call('DELETE', `/issuers/${mdocIssuerId}/credential-configurations/mdl`, key)).status).toBe(200)
    expect((await call('DELETE', `/issuers/${mdocIssuerId}/certificate`, key)).status).toBe(204)

    // Webhooks.
    const hook = await call('POST', '/webhooks', key, { url: receiver.url, events: ['credential.issued'] })
    expect(hook.status).toBe(201)
    expect((await call('POST', '/webhooks', key, { url: receiver.url, events: ['no.such.event'] })).status).toBe(400)
    expect((await call('GET', '/webhooks?limit=1', key)).body).toMatchObject({ webhooks: [{}], next_cursor: null })
    expect((await call('GET', '/webhooks?limit=x', key)).status).toBe(400)
    expect((await call('GET', '/webhooks/dead-letters', key)).status).toBe(200)
    expect((await call('POST', '/webhooks/dead-letters/none/redeliver', key)).status).toBe(404)
    expect((await call('DELETE', `/webhooks/${hook.body.webhookId}`, key)).status).toBe(204)
    expect((await call('DELETE', `/webhooks/${hook.body.webhookId}`, key)).status).toBe(404)

    // Trusted wallet providers (wallet attestation), and the issuer's sender constraints.
    const providerCa = await DevelopmentCa.create({ name: 'Wallet Provider CA' })
    expect((await call('PUT', '/wallet-providers/wallet', key, { certificate: providerCa.rootBase64() })).status).toBe(
      200,
    )
    const providerJwk = {
      kty: 'EC',
      crv: 'P-256',
      x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
      y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
    }
    expect((await call('PUT', '/wallet-providers/other', key, { jwk: providerJwk })).status).toBe(200)
    expect((await call('PUT', '/wallet-providers/bad', key, { certificate: 'x' })).status).toBe(400)
    expect((await call('PUT', '/wallet-providers/both', key, { certificate: 'x', jwk: providerJwk })).status).toBe(400)
    expect((await call('GET', '/wallet-providers/wallet', key)).body.subject).toContain('Wallet Provider CA')
    expect((await call('GET', '/wallet-providers?limit=1', key)).body.walletProviders).toHaveLength(1)
    expect((await call('DELETE', '/wallet-providers/other', key)).status).toBe(204)
    expect((await call('DELETE', '/wallet-providers/other', key)).status).toBe(404)
    expect((await call('GET', '/wallet-providers/other', key)).status).toBe(404)
    const constrained = await call('PATCH', `/issuers/${issuerId}`, key, {
      dpop: 'required',
      clientAttestation: 'optional',
    })
    expect(constrained.body).toMatchObject({ dpop: 'required', clientAttestation: 'optional' })
    expect((await call('PATCH', `/issuers/${issuerId}`, key, { dpop: 'always' })).status).toBe(400)

    // The operator's reports.
    expect((await call('GET', '/admin/queues', admin)).body.queues['offer-batches']).toBeDefined()
    expect((await call('GET', '/admin/webhooks/undeliverable', admin)).status).toBe(200)
    expect((await call('GET', '/admin/queues', key)).status).toBe(401)

    // Tenants and API keys (admin and tenant).
    await exerciseKeyManagement(call, admin, key, tenant.body.id)

    // Withdrawn at the end: a configuration, then the issuer (its credentials keep verifying).
    // An external authorization server for the issuer (docs/AUTHORIZATION.md, set-up 2).
    const serverPath = `/issuers/${issuerId}/authorization-server`
    expect((await call('GET', serverPath, key)).status).toBe(404)
    expect((await call('PUT', serverPath, key, { issuer: 'x' })).status).toBe(400)
    const external = {
      issuer: 'https://login.university.example/realms/students',
      claimsSources: { pass: { type: 'access_token', mapping: { given_name: 'given_name' } } },
    }
    expect((await call('PUT', serverPath, key, external)).body.claimsEndpointSecret).toBeDefined()
    expect((await call('PUT', serverPath, key, { ...external, ownAuthorizationServer: false })).status).toBe(200)
    expect((await call('GET', serverPath, key)).body.ownAuthorizationServer).toBe(false)
    expect((await call('DELETE', serverPath, key)).status).toBe(204)
    expect((await call('DELETE', serverPath, key)).status).toBe(404)

    const removed = await call('DELETE', `/issuers/${issuerId}/credential-configurations/later`, key)
    // The deferred offer, never redeemed, is cancelled with its configuration.
    expect(removed.body).toMatchObject({ credentialConfigurationId: 'later', cancelledOffers: 1 })
    expect((await call('DELETE', `/issuers/${issuerId}/credential-configurations/later`, key)).status).toBe(404)
    const deactivated = await call('DELETE', `/issuers/${issuerId}`, key)
    expect(deactivated.body).toMatchObject({ issuerId, status: 'deactivated' })
    expect((await call('DELETE', `/issuers/${issuerId}`, key)).status).toBe(200)
    expect((await call('GET', `/issuers/${issuerId}`, key)).status).toBe(404)
    expect((await call('DELETE', '/issuers/no-such-issuer', key)).status).toBe(404)

    // The tenant's identity provider for the authorization code flow (docs/AUTHORIZATION.md).
    expect((await call('GET', '/identity-provider', key)).status).toBe(404)
    expect((await call('PUT', '/identity-provider', key, { issuer: 'x' })).status).toBe(400)
    const login = {
      issuer: 'https://login.university.example',
      clientId: 'attesto',
      clientAuth: { method: 'client_secret_basic', clientSecret: 'a-long-client-secret-value' },
      claimsSources: { '*': { type: 'id_token', mapping: { given_name: 'given_name' } } },
    }
    const provider = await call('PUT', '/identity-provider', key, login)
    expect(provider.body.claimsEndpointSecret).toBeDefined()
    const kmsClient = await call('PUT', '/identity-provider', key, {
      ...login,
      clientAuth: { method: 'private_key_jwt' },
    })
    expect(kmsClient.body.clientAuth.publicJwk.kty).toBe('EC')
    expect((await call('GET', '/identity-provider', key)).status).toBe(200)
    expect((await call('DELETE', '/identity-provider', key)).status).toBe(204)
    expect((await call('DELETE', '/identity-provider', key)).status).toBe(404)

    // Every operation of the document was answered and checked.
    expect(checker.operationIds.filter((id) => !checker.seen.has(id))).toEqual([])
  })
  it('serves a reference page of the document at /docs, with everything it loads, without a key', async () => {
    const page = await fetch(`${service.http.url}/docs`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    const html = await page.text()
    expect(html).toContain('spec-url="/openapi.json"')
    // Nothing from another origin: a closed network has no CDN.
    expect(html).not.toMatch(/(src|href)="https?:/)
    const script = await fetch(`${service.http.url}/docs/redoc.standalone.js`)
    expect(script.status).toBe(200)
    expect(script.headers.get('content-type')).toMatch(/javascript/)
    expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(500_000)
  })
})
