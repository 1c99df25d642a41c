import { randomBytes } from 'node:crypto'
import { holderAgent, REDIS_URL, startService, WebhookReceiver, waitFor } from '@attesto/testing'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { receiveBatch } from './support/credoBatch.js'
import { HandWallet, parseOffer } from './support/HandWallet.js'
import { tenantWithIssuer } from './support/issuerFixture.js'

// The notification endpoint (OID4VCI 1.0 §11): Credo's holder tells the issuer what became of a
// batch it received; the offer's status shows it and a webhook event goes out once per event,
// however often the wallet repeats itself. A wallet built by hand sends the malformed and foreign
// notifications. Real PostgreSQL and Redis; webhooks delivered to a receiver on 127.0.0.1.

type Service = Awaited<ReturnType<typeof startService<IssuerRuntime>>>
// biome-ignore lint/suspicious/noExplicitAny: answers are inspected loosely in tests
type Body = Record<string, any>

const NOTIFIED = ['credential.accepted', 'credential.failed', 'credential.deleted']

describe('notification endpoint', () => {
  let service: Service
  const receiver = new WebhookReceiver()
  let key = ''
  let issuerId = ''
  /** The notification webhook events the issuer emitted (before any queue), in order. */
  const emitted: { type: string; data: Record<string, unknown> }[] = []
  const wallet = new HandWallet()
  /** Credo's holder (embedded storage, local KMS): made once, it takes seconds on a busy machine. */
  let holderWallet: Awaited<ReturnType<typeof holderAgent>>

  /** An offer redeemed and issued to the hand wallet: its access token and the response's notification id. */
  async function issued() {
    const created = await service.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'Ada' },
    })
    const offer = parseOffer(created.body.uri)
    const token = (await wallet.redeem(offer.credentialIssuer, offer.code)).body.access_token as string
    const nonce = await wallet.nonce(offer.credentialIssuer)
    const answer = await wallet.credential(offer.credentialIssuer, token, {
      credential_configuration_id: 'pass',
      proofs: { jwt: [wallet.proof(offer.credentialIssuer, nonce)] },
    })
    expect(answer.status).toBe(200)
    return {
      offerId: created.body.offerId as string,
      credentialIssuer: offer.credentialIssuer,
      token,
      notificationId: answer.body.notification_id as string,
    }
  }

  async function notify(
    credentialIssuer: string,
    body: unknown,
    authorization?: string,
    contentType = 'application/json',
  ) {
    const response = await fetch(`${credentialIssuer}/notification`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...(authorization ? { authorization } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
    const answer = response.status === 204 ? undefined : ((await response.json()) as Body)
    return { status: response.status, headers: response.headers, body: answer as Body }
  }

  const offerOf = async (offerId: string) => (await service.call('GET', `/offers/${offerId}`, key)).body

  beforeAll(async () => {
    await receiver.start()
    service = await startService('issuer', createIssuerApp, {
      REDIS_URL,
      QUEUE_PREFIX: `test${randomBytes(4).toString('hex')}`,
      WEBHOOK_ALLOW_INSECURE: 'true',
      TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
      PROTOCOL_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
    })
    ;({ key, issuerId } = await tenantWithIssuer(service, {
      label: 'Transit',
      configurationId: 'pass',
      vct: 'urn:attesto:test:pass',
      claims: [{ name: 'given_name', type: 'string', required: true }],
    }))
    expect((await service.call('PATCH', `/issuers/${issuerId}`, key, { batchSize: 3 })).status).toBe(200)
    const hook = await service.call('POST', '/webhooks', key, {
      url: receiver.url,
      events: NOTIFIED,
    })
    receiver.secret = hook.body.secret
    const webhooks = service.runtime.webhooks
    if (!webhooks) throw new Error('webhooks need REDIS_URL')
    const emit = webhooks.emit.bind(webhooks)
    webhooks.emit = (tenantId, event) => {
      if (NOTIFIED.includes(event.type)) emitted.push({ type: event.type, data: event.data as Record<string, unknown> })
      return emit(tenantId, event)
    }
    holderWallet = await holderAgent()
  }, 120_000)
  afterAll(async () => {
    await holderWallet?.close()
    await service?.close()
    await receiver.close()
  })

  it("takes Credo's holder's notifications about a batch: the offer shows them, one webhook event each", async () => {
    const created = await service.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'Ada' },
    })
    const offerId = created.body.offerId as string
    const holder = holderWallet.agent.openid4vc.holder
    const { resolvedCredentialOffer, token, credentials } = await receiveBatch(holderWallet.agent, created.body.uri)
    const notificationId = credentials[0]?.notificationId as string
    expect(notificationId).toEqual(expect.any(String))
    const send = (notificationEvent: 'credential_accepted' | 'credential_deleted') =>
      holder.sendNotification({
        metadata: resolvedCredentialOffer.metadata,
        accessToken: token.accessToken,
        // The issuer advertises DPoP, so Credo's holder got a DPoP-bound token: the notification proves its key too.
        ...(token.dpop ? { dpop: token.dpop } : {}),
        notificationId,
        notificationEvent,
      })

    await send('credential_accepted')
    expect(await offerOf(offerId)).toMatchObject({
      status: 'credential_accepted',
      credentialCount: 3,
      walletNotification: { event: 'credential_accepted', receivedAt: expect.any(String) },
    })
    await send('credential_accepted') // a retry: answered, not reported again
    await send('credential_deleted')
    expect((await offerOf(offerId)).status).toBe('credential_deleted')
    const mine = emitted.filter((event) => event.data.offerId === offerId).map((event) => event.type)
    expect(mine).toEqual(['credential.accepted', 'credential.deleted'])
    const delivered = await waitFor(() => {
      const deliveries = receiver.received.filter((entry) => entry.event.data.offerId === offerId)
      return deliveries.length === 2 ? deliveries : undefined
    }, 'two deliveries')
    expect(delivered.every((entry) => entry.signatureValid)).toBe(true)
    expect(delivered.map((entry) => entry.event.id).sort()).toEqual([
      `${offerId}.credential.accepted`,
      `${offerId}.credential.deleted`,
    ])
  }, 120_000)

  it('records a failure with its description once, and lists offers by what the wallet said', async () => {
    const first = await issued()
    const failure = {
      notification_id: first.notificationId,
      event: 'credential_failure',
      event_description: 'Storage full: not stored',
    }
    expect(await notify(first.credentialIssuer, failure, `Bearer ${first.token}`)).toMatchObject({
      status: 204,
      body: undefined,
    })
    // A later acceptance, or the failure again, changes nothing and is reported no more.
    const accepted = { notification_id: first.notificationId, event: 'credential_accepted' }
    expect((await notify(first.credentialIssuer, accepted, `Bearer ${first.token}`)).status).toBe(204)
    expect((await notify(first.credentialIssuer, failure, `Bearer ${first.token}`)).status).toBe(204)
    expect(await offerOf(first.offerId)).toMatchObject({
      status: 'credential_failed',
      walletNotification: { event: 'credential_failure', description: 'Storage full: not stored' },
    })
    expect(emitted.filter((event) => event.data.offerId === first.offerId)).toEqual([
      {
        type: 'credential.failed',
        data: { offerId: first.offerId, issuerId, eventDescription: 'Storage full: not stored' },
      },
    ])

    const second = await issued() // no notification: stays credential_issued
    const listed = async (status: string) =>
      (await service.call('GET', `/offers?status=${status}&issuerId=${issuerId}&limit=100`, key)).body.offers.map(
        (offer: Body) => offer.offerId,
      )
    expect(await listed('credential_failed')).toContain(first.offerId)
    expect(await listed('credential_failed')).not.toContain(second.offerId)
    expect(await listed('credential_issued')).toContain(second.offerId)
    expect(await listed('credential_issued')).not.toContain(first.offerId)
  })

  it('refuses foreign, unknown and malformed notifications with the codes of OID4VCI 1.0 §11.3', async () => {
    const mine = await issued()
    const other = await issued()
    const bearer = `Bearer ${mine.token}`
    const valid = { notification_id: mine.notificationId, event: 'credential_accepted' }

    const anonymous = await notify(mine.credentialIssuer, valid)
    expect(anonymous).toMatchObject({ status: 401, body: { error: 'invalid_token' } })
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/)
    expect((await notify(mine.credentialIssuer, valid, `DPoP ${mine.token}`)).status).toBe(401)
    expect((await notify(mine.credentialIssuer, valid, 'Bearer not.a.token')).status).toBe(401)

    // Another offer's notification id, with this token (and the reverse): not this token's credentials.
    const foreign = { notification_id: other.notificationId, event: 'credential_accepted' }
    expect((await notify(mine.credentialIssuer, foreign, bearer)).body.error).toBe('invalid_notification_id')
    expect((await notify(mine.credentialIssuer, valid, `Bearer ${other.token}`)).body.error).toBe(
      'invalid_notification_id',
    )
    const unknown = await notify(mine.credentialIssuer, { ...valid, notification_id: 'nope' }, bearer)
    expect(unknown).toMatchObject({ status: 400, body: { error: 'invalid_notification_id' } })

    // A token whose credential is not issued yet has no notification id.
    const created = await service.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'Ada' },
    })
    const offer = parseOffer(created.body.uri)
    const early = (await wallet.redeem(offer.credentialIssuer, offer.code)).body.access_token as string
    expect((await notify(offer.credentialIssuer, valid, `Bearer ${early}`)).body.error).toBe('invalid_notification_id')

    for (const body of [
      {},
      { notification_id: mine.notificationId },
      { event: 'credential_accepted' },
      { ...valid, event: 'credential_lost' },
      { ...valid, notification_id: 7 },
      { ...valid, event_description: 'a "quoted" word' },
      { ...valid, event_description: 'déjà vu' },
      { ...valid, event_description: 'x'.repeat(1001) },
      [valid],
      '{"notification_id":',
      `{"notification_id":"${mine.notificationId}","event":"credential_accepted","event_description":"nul\\u0000"}`,
    ]) {
      const answer = await notify(mine.credentialIssuer, body, bearer)
      expect([answer.status, answer.body.error, JSON.stringify(body)]).toEqual([
        400,
        'invalid_notification_request',
        JSON.stringify(body),
      ])
    }
    expect((await notify(mine.credentialIssuer, 'x', bearer, 'text/plain')).status).toBe(415)
    expect((await offerOf(mine.offerId)).status).toBe('credential_issued')
    expect(emitted.filter((event) => event.data.offerId === mine.offerId)).toEqual([])

    // Unknown parameters are ignored, as at every OAuth endpoint.
    expect((await notify(mine.credentialIssuer, { ...valid, extension: true }, bearer)).status).toBe(204)
    expect((await offerOf(mine.offerId)).status).toBe('credential_accepted')
  })
})
