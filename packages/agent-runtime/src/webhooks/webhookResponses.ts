import { z } from 'zod'
import { pageAnswer } from '../openapi/pageAnswer.js'

/** What the webhook routes answer, and what a webhook receives (the OpenAPI document is generated from these). */

/** One event as delivered (POSTed, signed) to a webhook. */
export const webhookEventSchema = z
  .object({
    id: z.string().meta({ description: 'Stable per event: a redelivery carries the same id' }),
    type: z.string(),
    createdAt: z.iso.datetime(),
    data: z.record(z.string(), z.unknown()).meta({ description: 'Ids and states, never claims' }),
  })
  .meta({
    id: 'WebhookEvent',
    examples: [
      {
        id: '5b0e….credential.issued',
        type: 'credential.issued',
        createdAt: '2026-06-30T12:00:00.000Z',
        data: { offerId: '5b0e…', issuerId: '9d1c…' },
      },
    ],
  })

const registration = {
  webhookId: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  createdAt: z.iso.datetime(),
}

export const registeredWebhookResponse = z
  .object({
    ...registration,
    secret: z.string().meta({ description: 'The HMAC-SHA256 key of the signatures; shown only here' }),
  })
  .meta({ id: 'RegisteredWebhook' })

export const webhookPageResponse = pageAnswer(
  'webhooks',
  z.object(registration).meta({ id: 'Webhook' }),
  'WebhookPage',
  {
    webhookId: '8c2d4e6f-1a3b-4c5d-9e7f-0a1b2c3d4e5f',
    url: 'https://hooks.example.org/attesto',
    events: ['credential.issued'],
    createdAt: '2026-06-30T12:00:00.000Z',
  },
)

export const deadLetterListResponse = z
  .object({
    deadLetters: z.array(
      z.object({
        deliveryId: z.string(),
        webhookId: z.string(),
        url: z.string(),
        event: webhookEventSchema,
        attempts: z.number().int(),
        lastError: z.string(),
        failedAt: z.iso.datetime(),
      }),
    ),
  })
  .meta({ id: 'DeadLetterList' })

export const redeliveryResponse = z.object({ deliveryId: z.string() }).meta({ id: 'Redelivery' })

/** `GET /admin/webhooks/undeliverable`: deliveries kept because their tenant is gone. */
export const undeliverableResponse = z
  .object({
    undeliverable: z.array(
      z.object({
        deliveryId: z.string(),
        tenantId: z.string(),
        webhookId: z.string(),
        event: z.object({ id: z.string(), type: z.string(), createdAt: z.string() }).loose(),
        attempts: z.number().int(),
        lastError: z.string(),
        failedAt: z.string(),
      }),
    ),
  })
  .meta({ id: 'UndeliverableWebhooks' })
