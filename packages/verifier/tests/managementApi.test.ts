import { startService, VCT } from '@attesto/testing'
import { walkPages } from '@attesto/testing/openapi'
import { HandBuiltWallet } from '@attesto/testing/wallets'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createVerifierApp, type VerifierRuntime } from '../src/app.js'

// The verifier's management API over HTTP (real PostgreSQL, local KMS): paged lists with
// filters, tenant isolation, cancelling a presentation request, deleting a verifier.

type Service = Awaited<ReturnType<typeof startService<VerifierRuntime>>>

const degreeQuery = {
  credentials: [{ id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [VCT] }, claims: [{ path: ['degree'] }] }],
}

describe('verifier management API', () => {
  let service: Service
  let keyA = ''
  let keyB = ''
  let verifierA = ''
  let verifierB = ''
  const call = (...args: Parameters<Service['call']>) => service.call(...args)

  async function request(key: string, verifierId: string) {
    const made = await call('POST', '/presentation-requests', key, { verifierId, dcql: { query: degreeQuery } })
    expect(made.status).toBe(201)
    return made.body as { requestId: string; uri: string }
  }

  /** The request object's URL (what a wallet fetches), from the request's `openid4vp://` URI. */
  const requestObjectUrl = (uri: string) => new URL(uri).searchParams.get('request_uri') as string

  const walk = async (key: string, path: string, name: string, limit: number) =>
    (await walkPages(call, key, path, name, limit)).items

  beforeAll(async () => {
    service = await startService('verifier', createVerifierApp)
    keyA = (await call('POST', '/tenants', service.adminApiKey, { label: 'Bank' })).body.apiKey
    keyB = (await call('POST', '/tenants', service.adminApiKey, { label: 'Airline' })).body.apiKey
    verifierA = (await call('POST', '/verifiers', keyA, {})).body.verifierId
    verifierB = (await call('POST', '/verifiers', keyB, {})).body.verifierId
  })
  afterAll(async () => {
    await service?.close()
  })

  it('pages presentation requests with filters, only the tenant’s own', async () => {
    const second = (await call('POST', '/verifiers', keyA, {})).body.verifierId as string
    const before = new Date().toISOString()
    const first = []
    for (let index = 0; index < 5; index++) first.push((await request(keyA, verifierA)).requestId)
    const between = new Date().toISOString()
    const others = []
    for (let index = 0; index < 4; index++) others.push((await request(keyA, second)).requestId)
    const foreign = (await request(keyB, verifierB)).requestId

    const all = (await walk(keyA, '/presentation-requests', 'presentationRequests', 2)).map((item) => item.requestId)
    expect(all).toEqual([...first, ...others])
    expect(all).not.toContain(foreign)
    const bySecond = await walk(keyA, `/presentation-requests?verifierId=${second}`, 'presentationRequests', 3)
    expect(bySecond.map((item) => item.requestId)).toEqual(others)
    const range = `createdFrom=${encodeURIComponent(before)}&createdBefore=${encodeURIComponent(between)}`
    const inRange = await walk(keyA, `/presentation-requests?${range}`, 'presentationRequests', 2)
    expect(inRange.map((item) => item.requestId)).toEqual(first)

    expect((await call('POST', `/presentation-requests/${first[2]}/cancel`, keyA)).body.status).toBe('cancelled')
    const cancelled = await walk(keyA, '/presentation-requests?status=cancelled', 'presentationRequests', 1)
    expect(cancelled.map((item) => item.requestId)).toEqual([first[2]])
    const pending = await walk(keyA, '/presentation-requests?status=pending', 'presentationRequests', 4)
    expect(pending).toHaveLength(8)
    expect(pending.every((item) => item.status === 'pending')).toBe(true)
    expect((await walk(keyB, '/presentation-requests', 'presentationRequests', 4)).map((i) => i.requestId)).toEqual([
      foreign,
    ])
    expect((await call('GET', '/presentation-requests?state=pending', keyA)).status).toBe(400)
  })

  it('cancels an open request once: the wallet can no longer fetch it, another tenant cannot cancel it', async () => {
    const made = await request(keyA, verifierA)
    expect((await fetch(requestObjectUrl(made.uri))).status).toBe(200)
    expect((await call('POST', `/presentation-requests/${made.requestId}/cancel`, keyB)).status).toBe(404)
    const cancelled = await call('POST', `/presentation-requests/${made.requestId}/cancel`, keyA)
    expect(cancelled.status).toBe(200)
    expect((await fetch(requestObjectUrl(made.uri))).status).toBe(404)
    const again = await call('POST', `/presentation-requests/${made.requestId}/cancel`, keyA)
    expect(again.status).toBe(409)
    expect(again.body.error).toMatchObject({
      code: 'presentation_request_not_cancellable',
      details: { status: 'cancelled' },
    })
    expect((await call('GET', `/presentation-requests/${made.requestId}`, keyA)).body.status).toBe('cancelled')
  })

  it('lets one of a cancellation and a concurrent wallet answer take effect, never both', async () => {
    const wallet = new HandBuiltWallet()
    const credential = wallet.issue(VCT, { given_name: 'Ada', degree: 'MSc' })
    const key = (await call('POST', '/tenants', service.adminApiKey, { label: 'Shop' })).body.apiKey as string
    const verifierId = (await call('POST', '/verifiers', key, {})).body.verifierId as string
    await call('PUT', `/trusted-issuers/${encodeURIComponent(wallet.issuerDid)}`, key, {})
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const made = await request(key, verifierId)
        const fetched = await wallet.fetchRequest(made.uri)
        const presentation = wallet.present(fetched, credential, [credential.disclosures.degree as string])
        const [cancel, answer] = await Promise.all([
          call('POST', `/presentation-requests/${made.requestId}/cancel`, key),
          wallet.respond(fetched, { vp_token: { diploma: [presentation] }, state: fetched.payload.state }),
        ])
        const status = (await call('GET', `/presentation-requests/${made.requestId}`, key)).body.status
        return { cancel: cancel.status, answer: answer.status, status }
      }),
    )
    for (const outcome of outcomes) {
      if (outcome.cancel === 200) expect(outcome.status).toBe('cancelled')
      else {
        expect(outcome.cancel).toBe(409)
        expect(outcome.status).toBe('verified')
        expect(outcome.answer).toBe(200)
      }
    }
  })

  it('deletes a verifier: its open requests cancelled, no new ones, gone from the list', async () => {
    const doomed = (await call('POST', '/verifiers', keyA, {})).body.verifierId as string
    const open = await request(keyA, doomed)
    expect((await call('DELETE', `/verifiers/${doomed}`, keyB)).status).toBe(404)
    const deleted = await call('DELETE', `/verifiers/${doomed}`, keyA)
    expect(deleted.status).toBe(200)
    expect(deleted.body).toMatchObject({ verifierId: doomed, status: 'deleted', cancelledRequests: 1 })
    expect((await fetch(requestObjectUrl(open.uri))).status).toBe(404)
    const refused = await call('POST', '/presentation-requests', keyA, {
      verifierId: doomed,
      dcql: { query: degreeQuery },
    })
    expect(refused.status).toBe(404)
    expect(refused.body.error.code).toBe('verifier_not_found')
    expect((await call('GET', `/verifiers/${doomed}`, keyA)).status).toBe(404)
    const listed = (await walk(keyA, '/verifiers', 'verifiers', 1)).map((item) => item.verifierId)
    expect(listed).not.toContain(doomed)
    expect(listed[0]).toBe(verifierA)
    expect((await call('DELETE', `/verifiers/${doomed}`, keyA)).body.cancelledRequests).toBe(0)
  })

  it('pages trusted issuers and templates', async () => {
    const dids = Array.from({ length: 5 }, (_, index) => `did:web:issuer${index}.example`)
    for (const did of dids) {
      expect((await call('PUT', `/trusted-issuers/${encodeURIComponent(did)}`, keyA, {})).status).toBe(200)
    }
    const trusted = await walk(keyA, '/trusted-issuers', 'trustedIssuers', 2)
    expect(trusted.map((item) => item.did)).toEqual(dids)
    expect(await walk(keyB, '/trusted-issuers', 'trustedIssuers', 2)).toEqual([])
    for (const id of ['t1', 't2', 't3']) {
      const put = await call('PUT', `/presentation-templates/${id}`, keyA, { dcql: { query: degreeQuery } })
      expect(put.status).toBe(200)
    }
    const templates = await walk(keyA, '/presentation-templates', 'templates', 2)
    expect(templates.map((item) => item.templateId)).toEqual(['t1', 't2', 't3'])
  })

  it('describes the management endpoints in its OpenAPI document, beside the existing ones', async () => {
    const { body } = await call('GET', '/openapi.json')
    expect(Object.keys(body.paths['/presentation-requests'])).toEqual(expect.arrayContaining(['get', 'post']))
    expect(Object.keys(body.paths['/verifiers'])).toEqual(expect.arrayContaining(['get', 'post']))
    expect(Object.keys(body.paths['/verifiers/{verifierId}'])).toEqual(expect.arrayContaining(['get', 'delete']))
    expect(body.paths['/presentation-requests/{requestId}/cancel'].post).toBeDefined()
    const names = body.paths['/presentation-requests'].get.parameters.map((p: { name: string }) => p.name)
    expect(names).toEqual(['limit', 'cursor', 'status', 'verifierId', 'createdFrom', 'createdBefore'])
    expect(body.paths['/trusted-issuers'].get.parameters.map((p: { name: string }) => p.name)).toEqual([
      'limit',
      'cursor',
    ])
    expect(body.paths['/api-keys/{keyId}'].delete).toBeDefined()
  })
})
