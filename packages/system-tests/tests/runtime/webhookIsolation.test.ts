import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import {
  createRuntimeAgent,
  deadLetters,
  TenantsApi,
  TenantsModule,
  undeliverable,
  webhooks,
} from '@attesto/agent-runtime'
import { REDIS_URL, startService, WebhookReceiver, waitFor } from '@attesto/testing'

// Webhook deliveries on the real PostgreSQL and Redis: an issuer and a verifier sharing one Redis
// and one QUEUE_PREFIX each deliver their own events; a delivery whose tenant is gone is kept,
// not dropped; an endpoint that drips its answer is cut off at the deadline, and one tenant's
// slow endpoints do not hold back another tenant's events.

const start = (role: 'issuer' | 'verifier', env: Record<string, string>) =>
  startService(role, (config, logger) => createRuntimeAgent(config, logger, () => ({ tenants: new TenantsModule() })), {
    REDIS_URL,
    WEBHOOK_ALLOW_INSECURE: 'true',
    WEBHOOK_BACKOFF_MILLIS: '50',
    ...env,
  })
type Service = Awaited<ReturnType<typeof start>>

/** A tenant of `service` with one webhook per URL, subscribed to `test.event`. */
async function tenantWithHooks(service: Service, urls: string[]) {
  const tenants = service.runtime.agent.dependencyManager.resolve(TenantsApi)
  const tenant = await tenants.createTenant({ label: 'hooks' })
  const context = await tenants.getTenantAgentContext(tenant.id)
  for (const url of urls) {
    const webhookId = randomUUID()
    await webhooks.save(context, webhookId, {
      webhookId,
      url,
      events: ['test.event'],
      secret: 'secret',
      createdAt: new Date().toISOString(),
    })
  }
  return { tenantId: tenant.id, context }
}

const emit = (service: Service, tenantId: string, id: string) =>
  service.runtime.webhooks?.emit(tenantId, { id, type: 'test.event', data: {} })

describe('webhook isolation', () => {
  const receiver = new WebhookReceiver()
  const services: Service[] = []
  beforeAll(async () => {
    await receiver.start()
  })
  afterAll(async () => {
    for (const service of services) await service.close()
    await receiver.close()
  })

  it('delivers the issuer’s and the verifier’s events on one Redis, each by its own role', async () => {
    const prefix = `test${randomBytes(4).toString('hex')}`
    const issuer = await start('issuer', { QUEUE_PREFIX: prefix, WEBHOOK_ATTEMPTS: '2' })
    services.push(issuer)
    const verifier = await start('verifier', { QUEUE_PREFIX: prefix, WEBHOOK_ATTEMPTS: '2' })
    services.push(verifier)
    const issuerTenant = await tenantWithHooks(issuer, [receiver.url])
    const verifierTenant = await tenantWithHooks(verifier, [receiver.url])
    const ids: string[] = []
    for (let index = 0; index < 10; index++) {
      ids.push(`issuer-${prefix}-${index}`, `verifier-${prefix}-${index}`)
      await emit(issuer, issuerTenant.tenantId, `issuer-${prefix}-${index}`)
      await emit(verifier, verifierTenant.tenantId, `verifier-${prefix}-${index}`)
    }
    await waitFor(
      () => ids.every((id) => receiver.received.some((delivery) => delivery.event.id === id)) || undefined,
      'every event of both roles',
    )
  }, 60_000)

  it('keeps a delivery whose tenant is gone in the undeliverable list', async () => {
    const issuer = services[0] as Service
    const deliveryId = `lost-${randomUUID()}`
    await issuer.runtime.webhooks?.queue.add('delivery', {
      tenantId: randomUUID(),
      webhookId: randomUUID(),
      deliveryId,
      event: { id: 'lost', type: 'test.event', createdAt: new Date().toISOString(), data: {} },
    })
    const kept = await waitFor(
      () => undeliverable.find(issuer.runtime.agent.context, deliveryId).then((entry) => entry ?? undefined),
      'the undeliverable entry',
    )
    expect(kept.lastError).toBe('tenant_not_found')
  }, 30_000)

  it('cuts a dripping endpoint off at the deadline, and keeps other tenants’ events on time', async () => {
    const sockets = new Set<import('node:net').Socket>()
    const drip: Server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' })
      const timer = setInterval(() => response.write('.'), 200)
      response.on('close', () => clearInterval(timer))
    })
    drip.on('connection', (socket) => sockets.add(socket))
    await new Promise<void>((resolve) => drip.listen(0, '127.0.0.1', resolve))
    const dripUrl = `http://127.0.0.1:${(drip.address() as { port: number }).port}/slow`
    try {
      const service = await start('issuer', {
        QUEUE_PREFIX: `test${randomBytes(4).toString('hex')}`,
        WEBHOOK_TIMEOUT_MILLIS: '1500',
        WEBHOOK_ATTEMPTS: '1',
        WEBHOOK_CONCURRENCY: '4',
        WEBHOOK_CONCURRENCY_PER_TENANT: '2',
      })
      services.push(service)
      const slow = await tenantWithHooks(
        service,
        Array.from({ length: 8 }, () => dripUrl),
      )
      const fast = await tenantWithHooks(service, [receiver.url])
      const started = Date.now()
      await emit(service, slow.tenantId, 'slow-event')
      await new Promise((resolve) => setTimeout(resolve, 200)) // the slow deliveries are running
      await emit(service, fast.tenantId, 'fast-event')
      await waitFor(() => receiver.received.find((delivery) => delivery.event.id === 'fast-event'), 'the fast event')
      expect(Date.now() - started).toBeLessThan(1_500)
      // Every dripping delivery ends at its deadline, in the dead-letter list.
      const letters = await waitFor(async () => {
        const list = await deadLetters.list(slow.context)
        return list.length === 8 ? list : undefined
      }, 'eight dead letters')
      for (const letter of letters) expect(letter.lastError).toMatch(/did not complete within 1500 ms/)
      expect(Date.now() - started).toBeLessThan(12_000)
    } finally {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => drip.close(resolve))
    }
  }, 60_000)
})
