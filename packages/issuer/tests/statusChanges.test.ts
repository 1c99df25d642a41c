import { randomBytes } from 'node:crypto'
import { REDIS_URL, silentLogger, startService, WebhookReceiver, waitFor } from '@attesto/testing'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { HandWallet, parseOffer } from './support/HandWallet.js'
import { tenantWithIssuer } from './support/issuerFixture.js'

// Bulk status changes through the BullMQ queue (JSON and CSV), and the credential.status_changed
// webhook event for every change, on the real PostgreSQL and Redis.

type Service = Awaited<ReturnType<typeof startService<IssuerRuntime>>>

describe('bulk status changes and their webhook events', () => {
  const prefix = `test${randomBytes(4).toString('hex')}`
  const receiver = new WebhookReceiver()
  const wallet = new HandWallet()
  let service: Service
  let key = ''
  let issuerId = ''

  async function issue(): Promise<string> {
    const created = await service.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'Ada' },
    })
    const offer = parseOffer(created.body.uri)
    const issuer = offer.credentialIssuer
    const token = await wallet.redeem(issuer, offer.code)
    const answer = await wallet.credential(issuer, token.body.access_token, {
      credential_configuration_id: 'pass',
      proofs: { jwt: [wallet.proof(issuer, await wallet.nonce(issuer))] },
    })
    expect(answer.status).toBe(200)
    return created.body.offerId as string
  }

  async function finished(batchId: string) {
    return waitFor(async () => {
      const { body } = await service.call('GET', `/status-change-batches/${batchId}`, key)
      return body.state === 'finished' ? body : undefined
    }, 'the batch to finish')
  }

  beforeAll(async () => {
    await receiver.start()
    service = await startService('issuer', createIssuerApp, {
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      WEBHOOK_ALLOW_INSECURE: 'true',
      TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
    })
    service.runtime.statusChanges?.startWorking(service.runtime.credentialStatus, silentLogger)
    ;({ key, issuerId } = await tenantWithIssuer(service, {
      label: 'Transit',
      configurationId: 'pass',
      vct: 'https://issuer.test/pass',
      claims: [{ name: 'given_name', type: 'string', required: true }],
    }))
    const hook = await service.call('POST', '/webhooks', key, {
      url: receiver.url,
      events: ['credential.status_changed'],
    })
    receiver.secret = hook.body.secret
  })
  afterAll(async () => {
    await service?.close()
    await receiver.close()
  })

  it('revokes a list of credentials through the queue, one event per change', async () => {
    const offerIds = await Promise.all(Array.from({ length: 6 }, () => issue()))
    const unknown = '00000000-0000-4000-8000-000000000000'
    const queued = await service.call('POST', '/status-change-batches', key, {
      status: 'revoked',
      offerIds: [...offerIds.slice(0, 4), unknown],
    })
    expect(queued).toMatchObject({ status: 202, body: { count: 5, state: 'queued' } })
    const other = (await service.call('POST', '/tenants', service.adminApiKey, { label: 'Other' })).body.apiKey
    expect((await service.call('GET', `/status-change-batches/${queued.body.batchId}`, other)).status).toBe(404)
    const done = await finished(queued.body.batchId)
    expect(done.result).toEqual({ changed: 4, unchanged: 0, refused: [], notFound: [unknown] })

    // CSV with a header: the two left, and one already revoked (unchanged).
    const csv = ['offerId,name', ...[...offerIds.slice(4), offerIds[0]].map((id) => `${id},x`)].join('\n')
    const response = await fetch(`${service.http.url}/status-change-batches?status=revoked`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
      body: csv,
    })
    const csvBatch = (await response.json()) as { batchId: string; count: number }
    expect(csvBatch.count).toBe(3)
    expect((await finished(csvBatch.batchId)).result).toMatchObject({ changed: 2, unchanged: 1 })

    for (const offerId of offerIds) {
      expect((await service.call('GET', `/offers/${offerId}`, key)).body.credentialStatus.status).toBe('revoked')
    }
    const events = await waitFor(() => {
      const mine = received().filter((entry) => offerIds.includes(String(entry.event.data.offerId)))
      return mine.length === 6 ? mine : undefined
    }, 'six status events')
    for (const entry of events) {
      expect(entry.signatureValid).toBe(true)
      expect(entry.event).toMatchObject({
        type: 'credential.status_changed',
        data: { issuerId, status: 'revoked', previousStatus: 'valid' },
      })
    }
  }, 120_000)

  it('accepts a list of ids above the default 1 MiB body limit', async () => {
    const queue = service.runtime.statusChanges?.queue
    await queue?.pause() // queued only: nothing of it is applied
    try {
      const many = Array.from({ length: 50_000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)
      const large = await service.call('POST', '/status-change-batches', key, { status: 'suspended', offerIds: many })
      expect(large).toMatchObject({ status: 202, body: { count: 50_000, state: 'queued' } })
      await queue?.remove(large.body.batchId)
    } finally {
      await queue?.resume()
    }
  })

  const received = () => receiver.received
})
