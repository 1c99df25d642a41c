import { randomBytes, randomUUID } from 'node:crypto'
import { Router } from 'express'
import { z } from 'zod'
import type { TenantRequestLocals } from '../auth/apiKeys.js'
import { HttpError } from '../errors/HttpError.js'
import { queueUnavailable } from '../queues/queues.js'
import type { WebhookService } from './WebhookService.js'
import { deadLetters, webhooks } from './webhookDocuments.js'

const noQueue = () => queueUnavailable('Webhooks need the delivery queue: configure REDIS_URL or REDIS_CLUSTER_NODES')

/** `POST /webhooks`: an endpoint for some of the role's `eventTypes`. */
export const webhookRegistrationInput = (eventTypes: readonly string[], allowInsecure: boolean) =>
  z.strictObject({
    url: z
      .url()
      .refine(
        (url) => url.startsWith('https://') || (allowInsecure && url.startsWith('http://')),
        'must be an https:// URL',
      ),
    events: z
      .array(z.enum(eventTypes as [string, ...string[]]))
      .min(1)
      .refine((events) => new Set(events).size === events.length, 'each event once'),
  })

/**
 * The tenant's webhooks: register an HTTPS endpoint for some of the role's `eventTypes` (the
 * signing secret is returned once) and delete them, list the dead letters and redeliver one (the
 * paged list of webhooks is `webhookListRoutes`).
 */
export function webhookRoutes(service: WebhookService | undefined, eventTypes: string[], allowInsecure: boolean) {
  const router = Router()
  const registration = webhookRegistrationInput(eventTypes, allowInsecure)

  router.post('/webhooks', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    if (!service) throw noQueue()
    const input = registration.parse(request.body)
    if ((await webhooks.list(tenantContext)).length >= service.maxPerTenant) {
      throw new HttpError(
        409,
        'webhook_limit_reached',
        `A tenant may register at most ${service.maxPerTenant} webhooks; delete one first`,
      )
    }
    const hook = {
      webhookId: randomUUID(),
      ...input,
      secret: randomBytes(32).toString('base64url'),
      createdAt: new Date().toISOString(),
    }
    await webhooks.save(tenantContext, hook.webhookId, hook)
    response.status(201).json(hook)
  })

  router.get('/webhooks/dead-letters', async (_request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    response.json({ deadLetters: await deadLetters.list(tenantContext) })
  })

  router.post('/webhooks/dead-letters/:deliveryId/redeliver', async (request, response) => {
    const { tenantContext, tenant } = response.locals as TenantRequestLocals
    if (!service) throw noQueue()
    const letter = await deadLetters.get(tenantContext, request.params.deliveryId as string)
    const deliveryId = await service.redeliver(tenantContext, tenant.id, letter)
    response.status(202).json({ deliveryId })
  })

  router.delete('/webhooks/:webhookId', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    await webhooks.remove(tenantContext, request.params.webhookId as string)
    response.status(204).end()
  })

  return router
}
