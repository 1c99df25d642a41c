import { randomBytes } from 'node:crypto'
import { REDIS_URL, startService } from '@attesto/testing'
import { walkPages } from '@attesto/testing/openapi'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { HandWallet, parseOffer } from './support/HandWallet.js'
import { tenantWithIssuer } from './support/issuerFixture.js'

// The issuer's management API over HTTP (real PostgreSQL, Redis for the batch queue): paged
// lists with filters, tenant isolation, offer cancellation racing redemption, issuer
// deactivation and configuration removal.

type Service = Awaited<ReturnType<typeof startService<IssuerRuntime>>>

describe('issuer management API', () => {
  let service: Service
  let keyA = ''
  let keyB = ''
  let issuerA = ''
  let issuerB = ''
  const wallet = new HandWallet()
  const call = (...args: Parameters<Service['call']>) => service.call(...args)
  const local = (credentialIssuer: string) => credentialIssuer.replace('http://issuer.test', service.http.url)

  async function offer(key: string, issuerId: string, configurationId = 'pass') {
    const made = await call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: configurationId,
      claims: { given_name: 'Ada' },
    })
    expect(made.status).toBe(201)
    return { offerId: made.body.offerId as string, ...parseOffer(made.body.uri) }
  }

  const walk = (key: string, path: string, name: string, limit: number) => walkPages(call, key, path, name, limit)

  beforeAll(async () => {
    service = await startService('issuer', createIssuerApp, {
      PUBLIC_BASE_URL: 'http://issuer.test',
      REDIS_URL,
      QUEUE_PREFIX: `mgmt${randomBytes(4).toString('hex')}`,
    })
    const claims = [{ name: 'given_name', type: 'string', required: true }]
    ;({ key: keyA, issuerId: issuerA } = await tenantWithIssuer(service, {
      label: 'A',
      configurationId: 'pass',
      vct: 'https://issuer.test/pass',
      claims,
    }))
    ;({ key: keyB, issuerId: issuerB } = await tenantWithIssuer(service, {
      label: 'B',
      configurationId: 'pass',
      vct: 'https://issuer.test/pass',
      claims,
    }))
    const badge = await call('PUT', `/issuers/${issuerA}/credential-configurations/badge`, keyA, {
      vct: 'https://issuer.test/badge',
      claims,
    })
    expect(badge.status).toBe(200)
    const twice = await call('PUT', `/issuers/${issuerA}/credential-configurations/twice`, keyA, {
      vct: 'https://issuer.test/twice',
      claims: [...claims, claims[0]],
    })
    expect([twice.status, twice.body.error.code]).toEqual([400, 'invalid_request'])
    expect(twice.body.error.message).toMatch(/claim names must be unique/)
  })
  afterAll(async () => {
    await service?.close()
  })

  it('pages offers with filters: every offer once, none of another tenant', async () => {
    const before = new Date().toISOString()
    const passes = []
    for (let index = 0; index < 7; index++) passes.push((await offer(keyA, issuerA)).offerId)
    const between = new Date().toISOString()
    const badges = []
    for (let index = 0; index < 5; index++) badges.push((await offer(keyA, issuerA, 'badge')).offerId)
    const otherTenant = (await offer(keyB, issuerB)).offerId

    const all = await walk(keyA, '/offers', 'offers', 3)
    const ids = all.items.map((item) => item.offerId)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toEqual([...passes, ...badges])
    expect(all.pages).toBe(4)
    expect(ids).not.toContain(otherTenant)

    const badgeOnly = await walk(keyA, '/offers?credentialConfigurationId=badge', 'offers', 2)
    expect(badgeOnly.items.map((item) => item.offerId)).toEqual(badges)
    expect(badgeOnly.items.every((item) => item.status === 'offered')).toBe(true)

    const range = await walk(
      keyA,
      `/offers?createdFrom=${encodeURIComponent(before)}&createdBefore=${encodeURIComponent(between)}`,
      'offers',
      4,
    )
    expect(range.items.map((item) => item.offerId)).toEqual(passes)

    // Cancel two: the status filter finds exactly them.
    for (const offerId of [passes[1], badges[3]]) {
      expect((await call('POST', `/offers/${offerId}/cancel`, keyA)).body.status).toBe('cancelled')
    }
    const cancelled = await walk(keyA, '/offers?status=cancelled', 'offers', 1)
    expect(cancelled.items.map((item) => item.offerId)).toEqual([passes[1], badges[3]])
    expect((await walk(keyA, '/offers?status=offered', 'offers', 5)).items).toHaveLength(10)
    expect((await walk(keyB, '/offers', 'offers', 5)).items.map((item) => item.offerId)).toEqual([otherTenant])
  })

  it('refuses bad list parameters with a stable code', async () => {
    const unknown = await call('GET', '/offers?colour=blue', keyA)
    expect(unknown.status).toBe(400)
    expect(unknown.body.error.code).toBe('invalid_request')
    expect((await call('GET', '/offers?limit=1000', keyA)).status).toBe(400)
    expect((await call('GET', '/offers?status=lost', keyA)).status).toBe(400)
    const tampered = await call('GET', '/offers?cursor=bm90LWEtY3Vyc29y', keyA)
    expect(tampered.status).toBe(400)
    expect(tampered.body.error.code).toBe('invalid_cursor')
    // A cursor of one list is not one of another's.
    const issuers = await call('GET', '/issuers?limit=1', keyA)
    expect(issuers.body.issuers).toHaveLength(1)
    expect(issuers.body.next_cursor).toBeNull()
    const offers = await call('GET', '/offers?limit=1', keyA)
    const crossed = await call('GET', `/issuers?cursor=${offers.body.next_cursor}`, keyA)
    expect(crossed.body.error.code).toBe('invalid_cursor')
  })

  it('lets one of a cancellation and a concurrent redemption win, never both', async () => {
    const made = await Promise.all(Array.from({ length: 12 }, () => offer(keyA, issuerA)))
    const outcomes = await Promise.all(
      made.map(async (offered) => {
        const [cancel, token] = await Promise.all([
          call('POST', `/offers/${offered.offerId}/cancel`, keyA),
          wallet.redeem(local(offered.credentialIssuer), offered.code),
        ])
        const status = (await call('GET', `/offers/${offered.offerId}`, keyA)).body.status
        return { cancel: cancel.status, token: token.status, status, code: cancel.body.error?.code }
      }),
    )
    for (const outcome of outcomes) {
      expect([outcome.cancel === 200, outcome.token === 200].filter(Boolean)).toHaveLength(1)
      if (outcome.cancel === 200) expect(outcome.status).toBe('cancelled')
      else {
        expect(outcome.cancel).toBe(409)
        expect(outcome.code).toBe('offer_not_cancellable')
        expect(outcome.status).toBe('token_issued')
      }
    }
    // A cancelled offer's code is dead.
    const cancelled = made[outcomes.findIndex((outcome) => outcome.cancel === 200)]
    if (cancelled) expect((await wallet.redeem(local(cancelled.credentialIssuer), cancelled.code)).status).toBe(400)
  })

  it('keeps tenants apart: B can neither cancel, list nor delete what is A’s', async () => {
    const offered = await offer(keyA, issuerA)
    expect((await call('POST', `/offers/${offered.offerId}/cancel`, keyB)).status).toBe(404)
    expect((await call('DELETE', `/issuers/${issuerA}`, keyB)).body.error.code).toBe('issuer_not_found')
    expect((await call('DELETE', `/issuers/${issuerA}/credential-configurations/pass`, keyB)).status).toBe(404)
    expect((await call('GET', `/issuers/${issuerA}/credential-configurations`, keyB)).status).toBe(404)
    const listed = await walk(keyB, '/issuers', 'issuers', 10)
    expect(listed.items.map((item) => item.issuerId)).toEqual([issuerB])
    expect((await call('GET', `/offers/${offered.offerId}`, keyA)).body.status).toBe('offered')
  })

  it('pages issuers and configurations', async () => {
    const more = []
    for (let index = 0; index < 3; index++) more.push((await call('POST', '/issuers', keyA, {})).body.issuerId)
    const issuers = await walk(keyA, '/issuers', 'issuers', 2)
    expect(issuers.items.map((item) => item.issuerId)).toEqual([issuerA, ...more])
    expect(issuers.pages).toBe(2)
    const configurations = await walk(
      keyA,
      `/issuers/${issuerA}/credential-configurations`,
      'credentialConfigurations',
      1,
    )
    expect(configurations.items.map((item) => item.id)).toEqual(['badge', 'pass'])
  })

  it('removes a configuration: gone from the metadata, its open offers cancelled, no new ones', async () => {
    const { key, issuerId } = await tenantWithIssuer(service, {
      label: 'C',
      configurationId: 'pass',
      vct: 'https://issuer.test/pass',
      claims: [{ name: 'given_name', type: 'string', required: true }],
    })
    const offered = await offer(key, issuerId)
    const removed = await call('DELETE', `/issuers/${issuerId}/credential-configurations/pass`, key)
    expect(removed.body).toMatchObject({ credentialConfigurationId: 'pass', cancelledOffers: 1 })
    const metadata = await fetch(`${service.http.url}/.well-known/openid-credential-issuer/oid4vci/${issuerId}`)
    expect(metadata.status).toBe(200)
    expect(((await metadata.json()) as Record<string, unknown>).credential_configurations_supported).toEqual({})
    expect((await wallet.redeem(local(offered.credentialIssuer), offered.code)).status).toBe(400)
    const refused = await call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'Ada' },
    })
    expect(refused.status).toBe(404)
    expect((await call('DELETE', `/issuers/${issuerId}/credential-configurations/pass`, key)).body.error.code).toBe(
      'configuration_not_found',
    )
  })

  it('deactivates an issuer: metadata 404, its offers unredeemable, repeatable, gone from the list', async () => {
    const { key, issuerId } = await tenantWithIssuer(service, {
      label: 'D',
      configurationId: 'pass',
      vct: 'https://issuer.test/pass',
      claims: [{ name: 'given_name', type: 'string', required: true }],
    })
    const open = await offer(key, issuerId)
    const redeemed = await offer(key, issuerId)
    expect((await wallet.redeem(local(redeemed.credentialIssuer), redeemed.code)).status).toBe(200)
    const metadataUrl = `${service.http.url}/.well-known/openid-credential-issuer/oid4vci/${issuerId}`
    expect((await fetch(metadataUrl)).status).toBe(200)

    const deactivated = await call('DELETE', `/issuers/${issuerId}`, key)
    expect(deactivated.status).toBe(200)
    expect(deactivated.body).toMatchObject({ issuerId, status: 'deactivated', cancelledOffers: 2 })
    expect((await fetch(metadataUrl)).status).toBe(404)
    expect((await wallet.redeem(local(open.credentialIssuer), open.code)).status).toBeGreaterThanOrEqual(400)
    expect((await call('GET', `/offers/${open.offerId}`, key)).body.status).toBe('cancelled')
    expect((await call('GET', `/offers/${redeemed.offerId}`, key)).body.status).toBe('cancelled')
    expect((await call('GET', `/issuers/${issuerId}`, key)).status).toBe(404)
    expect((await call('GET', '/issuers', key)).body.issuers).toEqual([])
    const again = await call('DELETE', `/issuers/${issuerId}`, key)
    expect(again.body).toMatchObject({ status: 'deactivated', cancelledOffers: 0 })
    expect(again.body.deactivatedAt).toBe(deactivated.body.deactivatedAt)
    expect((await call('POST', `/offers/${open.offerId}/cancel`, key)).body.error.code).toBe('offer_not_cancellable')
  })

  it('pages offer batches of the tenant only', async () => {
    const batches = []
    for (let index = 0; index < 3; index++) {
      const submitted = await call('POST', '/offer-batches', keyA, {
        issuerId: issuerA,
        credentialConfigurationId: 'pass',
        rows: [{ given_name: `Ada ${index}` }],
      })
      expect(submitted.status).toBe(202)
      batches.push(submitted.body.batchId)
    }
    const listed = await walk(keyA, '/offer-batches', 'offerBatches', 2)
    expect(listed.items.map((item) => item.batchId)).toEqual(batches)
    expect(listed.items[0]).toMatchObject({ total: 1 })
    expect((await walk(keyB, '/offer-batches', 'offerBatches', 2)).items).toEqual([])
  })

  it('pages webhooks without their secrets, only the tenant’s own', async () => {
    const registered = []
    for (let index = 0; index < 3; index++) {
      const hook = await call('POST', '/webhooks', keyA, {
        url: `https://hooks.example/${index}`,
        events: ['offer.accepted'],
      })
      expect(hook.status).toBe(201)
      registered.push(hook.body)
    }
    const listed = await walk(keyA, '/webhooks', 'webhooks', 2)
    expect(listed.items.map((hook) => hook.webhookId)).toEqual(registered.map((hook) => hook.webhookId))
    expect(JSON.stringify(listed.items)).not.toContain(registered[0]?.secret)
    expect(listed.items.every((hook) => !('secret' in hook))).toBe(true)
    expect((await walk(keyB, '/webhooks', 'webhooks', 2)).items).toEqual([])
  })

  it('describes the management endpoints in its OpenAPI document, beside the existing ones', async () => {
    const { body } = await call('GET', '/openapi.json')
    expect(Object.keys(body.paths['/offers'])).toEqual(expect.arrayContaining(['get', 'post']))
    expect(Object.keys(body.paths['/issuers'])).toEqual(expect.arrayContaining(['get', 'post']))
    expect(Object.keys(body.paths['/issuers/{issuerId}'])).toEqual(expect.arrayContaining(['get', 'patch', 'delete']))
    expect(body.paths['/offers/{offerId}/cancel'].post.responses['409']).toBeDefined()
    const statusFilter = body.paths['/offers'].get.parameters.find((p: { name: string }) => p.name === 'status')
    expect(statusFilter.schema.enum).toContain('cancelled')
    const limit = body.paths['/offers'].get.parameters.find((p: { name: string }) => p.name === 'limit')
    expect(limit.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100, default: 20 })
    const createKey = body.paths['/api-keys'].post.requestBody.content['application/json'].schema
    expect(createKey).toMatchObject({ type: 'object', additionalProperties: false })
    expect(Object.keys(body.paths['/tenants'])).toEqual(expect.arrayContaining(['get', 'post']))
    expect(body.paths['/webhooks'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['limit', 'cursor'])
  })
})
