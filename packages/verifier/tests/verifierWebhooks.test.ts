import { randomBytes } from 'node:crypto'
import {
  createDiplomaOffer,
  holderAgent,
  REDIS_URL,
  redeemOffer,
  startIssuer,
  startService,
  VCT,
  WebhookReceiver,
  waitFor,
} from '@attesto/agent-runtime/testing'
import { createVerifierApp, type VerifierRuntime } from '../src/app.js'

// presentation.verified and presentation.rejected webhooks, on the real PostgreSQL and Redis,
// delivered to a receiver on 127.0.0.1.

describe('verifier webhooks', () => {
  const receiver = new WebhookReceiver()
  let verifier: Awaited<ReturnType<typeof startService<VerifierRuntime>>>
  let issuer: Awaited<ReturnType<typeof startIssuer>>
  let wallet: Awaited<ReturnType<typeof holderAgent>>
  let issuerDid = ''
  const query = {
    credentials: [{ id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [VCT] }, claims: [{ path: ['degree'] }] }],
  }

  beforeAll(async () => {
    await receiver.start()
    verifier = await startService('verifier', createVerifierApp, {
      REDIS_URL,
      QUEUE_PREFIX: `test${randomBytes(4).toString('hex')}`,
      WEBHOOK_ALLOW_INSECURE: 'true',
    })
    issuer = await startIssuer()
    wallet = await holderAgent()
    const offer = await createDiplomaOffer(issuer.runtime.agent.context, { degree: 'MSc' })
    issuerDid = offer.issuerDid
    const [credential] = await redeemOffer(wallet.agent, offer.credentialOffer)
    await wallet.agent.sdJwtVc.store({ record: credential?.record as never })
  })
  afterAll(async () => {
    await wallet?.close()
    await issuer?.close()
    await verifier?.close()
    await receiver.close()
  })

  it('tells the tenant when a presentation is rejected, with the reason, and when it is verified', async () => {
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
      const { body } = await call('POST', '/presentation-requests', key, { verifierId, dcql: { query } })
      const holder = wallet.agent.openid4vc.holder
      const resolved = await holder.resolveOpenId4VpAuthorizationRequest(body.uri)
      await holder.acceptOpenId4VpAuthorizationRequest({
        authorizationRequestPayload: resolved.authorizationRequestPayload,
        dcql: { credentials: holder.selectCredentialsForDcqlRequest(resolved.dcql?.queryResult as never) },
      })
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
