import { WebhookReceiver, waitFor } from '@attesto/testing'
import {
  DEGREE_QUERY,
  issueDiplomaTo,
  presentFrom,
  startVerifierScene,
  type VerifierScene,
  webhookEnv,
} from './support/diplomaHolder.js'

// presentation.verified and presentation.rejected webhooks, on the real PostgreSQL and Redis,
// delivered to a receiver on 127.0.0.1.

describe('verifier webhooks', () => {
  const receiver = new WebhookReceiver()
  let scene: VerifierScene
  let issuerDid = ''

  beforeAll(async () => {
    await receiver.start()
    scene = await startVerifierScene(webhookEnv())
    issuerDid = (await issueDiplomaTo(scene.wallet, scene.issuer.runtime.agent.context, { degree: 'MSc' })).issuerDid
  })
  afterAll(async () => {
    await scene?.close()
    await receiver.close()
  })

  it('tells the tenant when a presentation is rejected, with the reason, and when it is verified', async () => {
    const { verifier, wallet } = scene
    const call = verifier.call
    const key = (await call('POST', '/tenants', verifier.adminApiKey, { label: 'Bank' })).body.apiKey
    const { verifierId } = (await call('POST', '/verifiers', key, {})).body
    receiver.secret = (
      await call('POST', '/webhooks', key, {
        url: receiver.url,
        events: ['presentation.verified', 'presentation.rejected'],
      })
    ).body.secret

    const present = async () => {
      const { body } = await call('POST', '/presentation-requests', key, { verifierId, dcql: { query: DEGREE_QUERY } })
      await presentFrom(wallet, body.uri)
      return waitFor(() => receiver.received.find((entry) => entry.event.data.requestId === body.requestId), 'an event')
    }

    const rejected = await present()
    expect(rejected.signatureValid).toBe(true)
    expect(rejected.event).toMatchObject({
      type: 'presentation.rejected',
      data: { verifierId, status: 'rejected', reason: { code: 'untrusted_issuer' } },
    })

    await call('PUT', `/trusted-issuers/${encodeURIComponent(issuerDid)}`, key, {})
    const verified = await present()
    expect(verified.event).toMatchObject({ type: 'presentation.verified', data: { status: 'verified' } })
    // Ids and the outcome only: the claims are read through the API.
    expect(JSON.stringify(verified.event)).not.toContain('MSc')
  })
})
