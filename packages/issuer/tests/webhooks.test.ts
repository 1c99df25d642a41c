import { randomBytes } from 'node:crypto'
import { verifyWebhookSignature } from '@attesto/agent-runtime'
import {
  holderAgent,
  OwnRedisServer,
  REDIS_URL,
  redeemOffer,
  silentLogger,
  startService,
  WebhookReceiver,
  waitFor,
} from '@attesto/testing'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { loadBatchConfig } from '../src/batches/batchConfig.js'
import { OfferBatchWorker } from '../src/batches/offerBatchWorker.js'
import { tenantWithIssuer } from './support/issuerFixture.js'

const diplomaIssuer = {
  label: 'University',
  configurationId: 'diploma',
  vct: 'urn:attesto:test:diploma',
  claims: [{ name: 'given_name', type: 'string', required: true }],
}

// Webhooks of the issuer, on the real PostgreSQL and Redis, delivered to a receiver on
// 127.0.0.1 that the test controls (http and loopback allowed by WEBHOOK_ALLOW_INSECURE).

describe('issuer webhooks', () => {
  const prefix = `test${randomBytes(4).toString('hex')}`
  let service: Awaited<ReturnType<typeof startService<IssuerRuntime>>>
  const receiver = new WebhookReceiver()
  let key = ''
  let issuerId = ''
  const { received, answers } = receiver
  const call = (...args: Parameters<typeof service.call>) => service.call(...args)

  beforeAll(async () => {
    await receiver.start()
    service = await startService('issuer', createIssuerApp, {
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      WEBHOOK_ALLOW_INSECURE: 'true',
      WEBHOOK_ATTEMPTS: '3',
      WEBHOOK_BACKOFF_MILLIS: '50',
    })
    ;({ key, issuerId } = await tenantWithIssuer(service, diplomaIssuer))
  })
  afterAll(async () => {
    await service?.close()
    await receiver.close()
  })

  it('registers a webhook, validating it, and shows its secret once', async () => {
    expect((await call('POST', '/webhooks', key, { url: receiver.url, events: ['offer.eaten'] })).status).toBe(400)
    expect((await call('POST', '/webhooks', key, { url: 'not a url', events: ['offer.accepted'] })).status).toBe(400)
    const created = await call('POST', '/webhooks', key, {
      url: receiver.url,
      events: ['offer.accepted', 'credential.issued', 'batch.finished'],
    })
    expect(created.status).toBe(201)
    receiver.secret = created.body.secret
    expect(receiver.secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const listed = await call('GET', '/webhooks', key)
    expect(listed.body.webhooks).toEqual([
      expect.objectContaining({ webhookId: created.body.webhookId, url: receiver.url }),
    ])
    expect(JSON.stringify(listed.body)).not.toContain(receiver.secret)
  })

  it('delivers offer.accepted and credential.issued, signed, retrying a failing endpoint', async () => {
    answers.push(500, 503) // the first delivery fails twice, then gets through on its third attempt
    const offer = await call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'diploma',
      claims: { given_name: 'Ada' },
    })
    const wallet = await holderAgent()
    try {
      await redeemOffer(wallet.agent, offer.body.uri)
    } finally {
      await wallet.close()
    }
    const types = await waitFor(() => {
      const mine = received.filter((entry) => entry.event.data.offerId === offer.body.offerId)
      return mine.length === 2 ? mine : undefined
    }, 'two deliveries')
    expect(types.map((entry) => entry.event.type).sort()).toEqual(['credential.issued', 'offer.accepted'])
    expect(types.every((entry) => entry.signatureValid)).toBe(true)
    expect(types[0]?.event.id).toBe(`${offer.body.offerId}.${types[0]?.event.type}`)
    // Tampering with the body breaks the signature.
    expect(verifyWebhookSignature(receiver.secret, 't=1,v1=00', '{}')).toBe(false)
  })

  it('moves a delivery that fails every attempt to the dead-letter list, and redelivers it', async () => {
    answers.push(500, 500, 500)
    const batchWorker = new OfferBatchWorker({
      root: service.runtime.agent.context,
      offers: service.runtime.offers,
      redis: REDIS_URL,
      prefix,
      config: loadBatchConfig({}),
      logger: silentLogger,
      webhooks: service.runtime.webhooks,
    }).start()
    try {
      const batch = await call('POST', '/offer-batches', key, {
        issuerId,
        credentialConfigurationId: 'diploma',
        rows: [{ given_name: 'Ada' }, { given_name: 'Alan' }],
      })
      const [letter] = await waitFor(async () => {
        const { body } = await call('GET', '/webhooks/dead-letters', key)
        return body.deadLetters.length > 0 ? body.deadLetters : undefined
      }, 'a dead letter')
      expect(letter).toMatchObject({
        attempts: 3,
        lastError: 'The endpoint answered 500',
        event: { type: 'batch.finished', data: { batchId: batch.body.batchId, done: 2, status: 'finished' } },
      })
      const redelivered = await call('POST', `/webhooks/dead-letters/${letter.deliveryId}/redeliver`, key)
      expect(redelivered.status).toBe(202)
      const delivered = await waitFor(
        () => received.find((entry) => entry.delivery === redelivered.body.deliveryId),
        'the redelivery',
      )
      expect(delivered.event.type).toBe('batch.finished')
      expect(delivered.signatureValid).toBe(true)
      expect((await call('GET', '/webhooks/dead-letters', key)).body.deadLetters).toEqual([])
    } finally {
      await batchWorker.close()
    }
  })
})

describe('issuer webhooks through a Redis outage', () => {
  const redis = new OwnRedisServer()
  const receiver = new WebhookReceiver()
  let service: Awaited<ReturnType<typeof startService<IssuerRuntime>>>

  beforeAll(async () => {
    await redis.start()
    await receiver.start()
    service = await startService('issuer', createIssuerApp, {
      REDIS_URL: redis.url,
      QUEUE_PREFIX: `test${randomBytes(4).toString('hex')}`,
      WEBHOOK_ALLOW_INSECURE: 'true',
    })
  })
  afterAll(async () => {
    await service?.close()
    await redis.stop()
    await receiver.close()
  })

  it('keeps the events of a flow that ran while Redis was down, and delivers them once it is back', async () => {
    const call = service.call
    const { key, issuerId } = await tenantWithIssuer(service, diplomaIssuer)
    receiver.secret = (
      await call('POST', '/webhooks', key, { url: receiver.url, events: ['offer.accepted', 'credential.issued'] })
    ).body.secret

    await redis.stop()
    const offer = await call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'diploma',
      claims: { given_name: 'Ada' },
    })
    const wallet = await holderAgent()
    try {
      expect(await redeemOffer(wallet.agent, offer.body.uri)).toHaveLength(1) // issuance does not need Redis
    } finally {
      await wallet.close()
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await service.runtime.webhooks?.sweepOutbox()).toBe(0) // still down: nothing queued, nothing lost

    await redis.start()
    await waitFor(async () => ((await service.runtime.webhooks?.sweepOutbox()) ?? 0) > 0 || undefined, 'the sweep')
    const delivered = await waitFor(() => {
      const mine = receiver.received.filter((entry) => entry.event.data.offerId === offer.body.offerId)
      return mine.length === 2 ? mine : undefined
    }, 'both events')
    expect(delivered.map((entry) => entry.event.type).sort()).toEqual(['credential.issued', 'offer.accepted'])
  }, 60_000)
})
