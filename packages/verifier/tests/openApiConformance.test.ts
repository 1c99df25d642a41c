import { DevelopmentCa } from '@attesto/protocol-kit'
import { WebhookReceiver } from '@attesto/testing'
import { checkedCalls, exerciseKeyManagement, expectProbesUp } from '@attesto/testing/openapi'
import {
  DEGREE_QUERY,
  issueDiplomaTo,
  presentFrom,
  startVerifierScene,
  type VerifierScene,
  webhookEnv,
} from './support/diplomaHolder.js'

// Every operation of the verifier's OpenAPI document, driven over HTTP through a whole flow
// (tenant, verifier, trusted issuers, templates, requests a holder wallet answers, rejected and
// verified, webhooks, the admin reports): each answer's status must be listed for its operation
// and its body must match that response's schema in the document the service serves. The
// document is generated from the zod schemas, so it cannot drift from what the routes answer
// without this failing.

describe('the verifier answers as its OpenAPI document says', () => {
  const receiver = new WebhookReceiver()
  let scene: VerifierScene
  beforeAll(async () => {
    await receiver.start()
    scene = await startVerifierScene(webhookEnv())
  })
  afterAll(async () => {
    await scene?.close()
    await receiver.close()
  })

  it('answers every operation with a status and a body its document describes', async () => {
    const { verifier, issuer, wallet } = scene
    const { call, checker } = await checkedCalls(verifier.call)
    const admin = verifier.adminApiKey
    await expectProbesUp(call)
    expect((await call('POST', '/tenants', admin, {})).status).toBe(400)
    const tenant = await call('POST', '/tenants', admin, { label: 'Bank' })
    const key = tenant.body.apiKey as string
    expect((await call('GET', '/trusted-issuers')).status).toBe(401)

    // A verifier identity.
    const created = await call('POST', '/verifiers', key, { didMethod: 'key' })
    expect(created.status).toBe(201)
    const verifierId = created.body.verifierId as string
    expect((await call('GET', `/verifiers/${verifierId}`, key)).body.did).toMatch(/^did:key:/)
    expect((await call('GET', '/verifiers/nope', key)).status).toBe(404)
    const verifiers = await call('GET', '/verifiers?limit=1', key)
    expect(verifiers.body).toEqual({ verifiers: [created.body], next_cursor: null })
    expect((await call('GET', '/verifiers?limit=-1', key)).status).toBe(400)

    // Its X.509 identity: a signing request, the chain uploaded (and a bad one refused), then removed.
    const ca = await DevelopmentCa.create()
    const csr = await call('POST', `/verifiers/${verifierId}/certificate-signing-request`, key, { commonName: 'Bank' })
    expect(csr.status).toBe(200)
    expect((await call('POST', `/verifiers/${verifierId}/certificate-signing-request`, key, {})).status).toBe(400)
    const chain = await ca.issue(csr.body.csr)
    expect((await call('PUT', `/verifiers/${verifierId}/certificate`, key, { chain })).status).toBe(200)
    expect((await call('PUT', `/verifiers/${verifierId}/certificate`, key, { chain: 'x' })).status).toBe(400)
    expect((await call('GET', `/verifiers/${verifierId}`, key)).body.certificate.chainLength).toBe(2)
    expect((await call('DELETE', `/verifiers/${verifierId}/certificate`, key)).status).toBe(204)
    expect((await call('DELETE', '/verifiers/nope/certificate', key)).status).toBe(404)

    // A wallet holding a diploma answers a request: rejected, its issuer is not trusted yet.
    const offer = await issueDiplomaTo(wallet, issuer.runtime.agent.context, { given_name: 'Ada', degree: 'MSc' })
    const untrusted = await call('POST', '/presentation-requests', key, { verifierId, dcql: { query: DEGREE_QUERY } })
    expect(untrusted.status).toBe(201)
    expect((await call('GET', `/presentation-requests/${untrusted.body.requestId}`, key)).body.status).toBe('pending')
    await presentFrom(wallet, untrusted.body.uri)
    const rejected = await call('GET', `/presentation-requests/${untrusted.body.requestId}`, key)
    expect(rejected.body).toMatchObject({ status: 'rejected', reason: { code: 'untrusted_issuer' } })

    // Trusted issuers.
    const did = encodeURIComponent(offer.issuerDid)
    expect((await call('PUT', `/trusted-issuers/${did}`, key, { label: 'University' })).status).toBe(200)
    expect((await call('PUT', '/trusted-issuers/not-a-did', key, {})).status).toBe(400)
    expect((await call('GET', '/trusted-issuers?limit=5', key)).body).toEqual({
      trustedIssuers: [{ did: offer.issuerDid, label: 'University' }],
      next_cursor: null,
    })
    expect((await call('GET', '/trusted-issuers?did=x', key)).status).toBe(400)

    // Trust anchors (X.509).
    const anchor = await call('PUT', '/trust-anchors/root', key, { certificate: ca.rootBase64(), label: 'Root' })
    expect(anchor.status).toBe(200)
    expect((await call('PUT', '/trust-anchors/leaf', key, { certificate: 'MIIB' })).status).toBe(400)
    expect((await call('GET', '/trust-anchors/root', key)).body).toEqual(anchor.body)
    expect((await call('GET', '/trust-anchors?limit=5', key)).body).toEqual({
      trustAnchors: [anchor.body],
      next_cursor: null,
    })
    expect((await call('DELETE', '/trust-anchors/root', key)).status).toBe(204)
    expect((await call('DELETE', '/trust-anchors/root', key)).status).toBe(404)

    // A template, and a request made from it: verified, with the disclosed claim.
    expect(
      (await call('PUT', '/presentation-templates/degree', key, { label: 'Degree', dcql: { query: DEGREE_QUERY } }))
        .status,
    ).toBe(200)
    expect((await call('PUT', '/presentation-templates/x', key, { dcql: { query: { credentials: [] } } })).status).toBe(
      400,
    )
    expect((await call('GET', '/presentation-templates?limit=5', key)).body.templates).toHaveLength(1)
    expect((await call('GET', '/presentation-templates?limit=200', key)).status).toBe(400)
    expect((await call('GET', '/presentation-templates/degree', key)).status).toBe(200)
    const request = await call('POST', '/presentation-requests', key, { verifierId, templateId: 'degree' })
    expect(request.status).toBe(201)
    await presentFrom(wallet, request.body.uri)
    const verified = await call('GET', `/presentation-requests/${request.body.requestId}`, key)
    expect(verified.body).toMatchObject({ status: 'verified', credentials: [{ claims: { degree: 'MSc' } }] })
    const both = await call('POST', '/presentation-requests', key, {
      verifierId,
      templateId: 'degree',
      dcql: { query: DEGREE_QUERY },
    })
    expect(both.status).toBe(400)
    expect((await call('GET', '/presentation-requests/nope', key)).status).toBe(404)

    // A request cancelled while open; a decided one cannot be. The list, by status and verifier.
    const unwanted = await call('POST', '/presentation-requests', key, { verifierId, templateId: 'degree' })
    const cancelled = await call('POST', `/presentation-requests/${unwanted.body.requestId}/cancel`, key)
    expect(cancelled.body).toMatchObject({ requestId: unwanted.body.requestId, status: 'cancelled' })
    expect((await call('POST', `/presentation-requests/${request.body.requestId}/cancel`, key)).status).toBe(409)
    expect((await call('POST', '/presentation-requests/nope/cancel', key)).status).toBe(404)
    const listed = await call('GET', `/presentation-requests?verifierId=${verifierId}&limit=2`, key)
    expect(listed.body.presentationRequests.map(({ status }: { status: string }) => status)).toEqual([
      'rejected',
      'verified',
    ])
    const cursor = encodeURIComponent(listed.body.next_cursor)
    const next = await call('GET', `/presentation-requests?verifierId=${verifierId}&limit=2&cursor=${cursor}`, key)
    expect(next.body).toMatchObject({
      presentationRequests: [{ requestId: unwanted.body.requestId, cancelledAt: expect.any(String) }],
      next_cursor: null,
    })
    const rejectedOnes = await call(
      'GET',
      '/presentation-requests?status=rejected&createdFrom=2020-01-01T00:00:00Z',
      key,
    )
    expect(rejectedOnes.body.presentationRequests).toMatchObject([{ requestId: untrusted.body.requestId }])
    expect((await call('GET', '/presentation-requests?status=lost', key)).status).toBe(400)
    // The same-device flow: the verifier's redirect URIs; Credo's holder answers and is sent back
    // with a response code; the result is released to that code only.
    const frontend = 'https://bank.example/verify/done'
    expect(
      (await call('PUT', `/verifiers/${verifierId}/redirect-uris`, key, { redirectUris: ['ftp://x'] })).status,
    ).toBe(400)
    const frontends = await call('PUT', `/verifiers/${verifierId}/redirect-uris`, key, { redirectUris: [frontend] })
    expect(frontends.body).toEqual({ verifierId, redirectUris: [frontend] })
    expect((await call('GET', `/verifiers/${verifierId}/redirect-uris`, key)).body).toEqual(frontends.body)
    expect((await call('GET', '/verifiers/nope/redirect-uris', key)).status).toBe(404)
    const sameDevice = await call('POST', '/presentation-requests', key, {
      verifierId,
      templateId: 'degree',
      flow: 'same_device',
    })
    expect(sameDevice.body.flow).toBe('same_device')
    const sameDeviceId = sameDevice.body.requestId as string
    const answered = await presentFrom(wallet, sameDevice.body.uri)
    expect(answered.redirectUri).toMatch(/^https:\/\/bank\.example\/verify\/done#response_code=[A-Za-z0-9_-]{43}$/)
    const responseCode = new URL(answered.redirectUri as string).hash.slice('#response_code='.length)
    expect((await call('GET', `/presentation-requests/${sameDeviceId}`, key)).status).toBe(403)
    const redeem = (id: string, body: unknown) => call('POST', `/presentation-requests/${id}/result`, key, body)
    expect((await redeem(sameDeviceId, {})).status).toBe(400)
    expect((await redeem(sameDeviceId, { responseCode: 'not-this-one' })).status).toBe(403)
    expect((await redeem(sameDeviceId, { responseCode })).body).toMatchObject({ status: 'verified' })
    expect((await redeem(request.body.requestId, { responseCode })).status).toBe(409)
    expect((await redeem('nope', { responseCode })).status).toBe(404)

    expect((await call('DELETE', '/presentation-templates/degree', key)).status).toBe(204)
    expect((await call('GET', '/presentation-templates/degree', key)).status).toBe(404)
    expect((await call('DELETE', `/trusted-issuers/${did}`, key)).status).toBe(204)

    // Webhooks.
    const hook = await call('POST', '/webhooks', key, { url: receiver.url, events: ['presentation.verified'] })
    expect(hook.status).toBe(201)
    expect((await call('GET', '/webhooks?limit=1', key)).body).toMatchObject({ webhooks: [{}], next_cursor: null })
    expect((await call('GET', '/webhooks/dead-letters', key)).status).toBe(200)
    expect((await call('POST', '/webhooks/dead-letters/none/redeliver', key)).status).toBe(404)
    expect((await call('DELETE', `/webhooks/${hook.body.webhookId}`, key)).status).toBe(204)

    // The operator's reports.
    expect((await call('GET', '/admin/queues', admin)).body.queues.webhooks).toBeDefined()
    expect((await call('GET', '/admin/webhooks/undeliverable', admin)).status).toBe(200)

    // Tenants and API keys (admin and tenant).
    await exerciseKeyManagement(call, admin, key, tenant.body.id)

    // The verifier deleted at the end: its open request is cancelled, no new one is made for it.
    const open = await call('POST', '/presentation-requests', key, { verifierId, dcql: { query: DEGREE_QUERY } })
    const deleted = await call('DELETE', `/verifiers/${verifierId}`, key)
    expect(deleted.body).toMatchObject({ verifierId, status: 'deleted', cancelledRequests: 1 })
    expect((await call('GET', `/presentation-requests/${open.body.requestId}`, key)).body.status).toBe('cancelled')
    expect((await call('DELETE', `/verifiers/${verifierId}`, key)).status).toBe(200)
    expect((await call('DELETE', '/verifiers/nope', key)).status).toBe(404)
    expect(
      (await call('POST', '/presentation-requests', key, { verifierId, dcql: { query: DEGREE_QUERY } })).status,
    ).toBe(404)

    // Every operation of the document was answered and checked.
    expect(checker.operationIds.filter((id) => !checker.seen.has(id))).toEqual([])
  })
})
