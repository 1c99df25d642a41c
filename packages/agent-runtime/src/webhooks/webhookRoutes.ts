import { randomBytes, randomUUID } from 'node:crypto'
import { DomainError } from '@attesto/protocol-kit'
import { z } from 'zod'
import type { TenantRequestLocals } from '../auth/apiKeys.js'
import { openApi } from '../openapi/openApi.js'
import { queueUnavailable } from '../queues/queues.js'
import { type BoundRoute, type Operation, operation } from '../routing/operation.js'
import type { WebhookService } from './WebhookService.js'
import { deadLetters, webhooks } from './webhookDocuments.js'
import { listWebhooks } from './webhookListRoutes.js'
import { deadLetterListResponse, redeliveryResponse, registeredWebhookResponse } from './webhookResponses.js'

const { answer, errors, pathParameter } = openApi
const TAGS = ['Webhooks']

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

/** `POST /webhooks` for the role's `eventTypes` (http:// endpoints too when `allowInsecure`). */
export const registerWebhook = (eventTypes: readonly string[], allowInsecure = false) =>
  operation({
    method: 'post',
    path: '/webhooks',
    operationId: 'registerWebhook',
    tags: TAGS,
    summary: 'Register an HTTPS endpoint for events; deliveries are signed with the secret returned here, once',
    description:
      'Each delivery carries `attesto-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` under the secret (docs/WEBHOOKS.md).',
    body: {
      required: true,
      schema: webhookRegistrationInput(eventTypes, allowInsecure).meta({
        examples: [{ url: 'https://hooks.example.org/attesto', events: eventTypes.slice(0, 2) }],
      }),
    },
    responses: { '201': answer('Registered', registeredWebhookResponse), ...errors(400, 401, 409, 503) },
  })

export const deleteWebhook = operation({
  method: 'delete',
  path: '/webhooks/{webhookId}',
  operationId: 'deleteWebhook',
  tags: TAGS,
  summary: 'Unregister a webhook',
  parameters: [pathParameter('webhookId')],
  responses: { '204': { description: 'Deleted' }, ...errors(401, 404) },
})

export const listDeadLetters = operation({
  method: 'get',
  path: '/webhooks/dead-letters',
  operationId: 'listDeadLetters',
  tags: TAGS,
  summary: 'Deliveries that failed every attempt, with the event and the last error',
  responses: { '200': answer('OK', deadLetterListResponse), ...errors(401) },
})

export const redeliverDeadLetter = operation({
  method: 'post',
  path: '/webhooks/dead-letters/{deliveryId}/redeliver',
  operationId: 'redeliverDeadLetter',
  tags: TAGS,
  summary: 'Queue a dead letter again (it leaves the list)',
  parameters: [pathParameter('deliveryId')],
  responses: { '202': answer('Queued', redeliveryResponse), ...errors(401, 404, 503) },
})

/** The webhook operations every service has, for the role's `eventTypes`, in the document's order. */
export function webhookOperations(eventTypes: readonly string[]): Operation[] {
  return [registerWebhook(eventTypes), listWebhooks, deleteWebhook, listDeadLetters, redeliverDeadLetter]
}

/**
 * The tenant's webhooks: register an HTTPS endpoint for some of the role's `eventTypes` (the
 * signing secret is returned once) and delete them, list the dead letters and redeliver one (the
 * paged list of webhooks is `webhookListRoutes`).
 */
export function webhookRoutes(
  service: WebhookService | undefined,
  eventTypes: string[],
  allowInsecure: boolean,
): BoundRoute[] {
  const registration = registerWebhook(eventTypes, allowInsecure)

  const register = registration.handle(async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    if (!service) throw noQueue()
    const input = registration.body(request)
    if ((await webhooks.list(tenantContext)).length >= service.maxPerTenant) {
      throw new DomainError(
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

  const listLetters = listDeadLetters.handle(async (_request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    response.json({ deadLetters: await deadLetters.list(tenantContext) })
  })

  const redeliver = redeliverDeadLetter.handle(async (request, response) => {
    const { tenantContext, tenant } = response.locals as TenantRequestLocals
    if (!service) throw noQueue()
    const letter = await deadLetters.get(tenantContext, request.params.deliveryId as string)
    const deliveryId = await service.redeliver(tenantContext, tenant.id, letter)
    response.status(202).json({ deliveryId })
  })

  const remove = deleteWebhook.handle(async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    await webhooks.remove(tenantContext, request.params.webhookId as string)
    response.status(204).end()
  })

  return [register, listLetters, redeliver, remove]
}
