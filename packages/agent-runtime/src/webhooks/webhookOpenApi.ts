import type { ZodOpenApiPathsObject } from 'zod-openapi'
import { openApi } from '../openapi/openApi.js'
import { listWebhooksQuery } from './webhookListRoutes.js'
import {
  deadLetterListResponse,
  redeliveryResponse,
  registeredWebhookResponse,
  webhookEventSchema,
  webhookPageResponse,
} from './webhookResponses.js'
import { webhookRegistrationInput } from './webhookRoutes.js'
import { SIGNATURE_HEADER } from './webhookSignature.js'

/** The webhook endpoints every service has, for its OpenAPI document. */
export function webhookOpenApiPaths(eventTypes: readonly string[]): ZodOpenApiPathsObject {
  const { json, answer, errors, pathParameter } = openApi
  const registration = webhookRegistrationInput(eventTypes, false).meta({
    examples: [{ url: 'https://hooks.example.org/attesto', events: eventTypes.slice(0, 2) }],
  })
  return {
    '/webhooks': {
      post: {
        operationId: 'registerWebhook',
        tags: ['Webhooks'],
        summary: 'Register an HTTPS endpoint for events; deliveries are signed with the secret returned here, once',
        description:
          'Each delivery carries `attesto-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` under the secret (docs/WEBHOOKS.md).',
        requestBody: { required: true, ...json(registration) },
        responses: { '201': answer('Registered', registeredWebhookResponse), ...errors(400, 401, 409, 503) },
      },
      get: {
        operationId: 'listWebhooks',
        tags: ['Webhooks'],
        summary: "The tenant's webhooks, page by page, without their secrets",
        requestParams: { query: listWebhooksQuery },
        responses: { '200': answer('OK', webhookPageResponse), ...errors(400, 401) },
      },
    },
    '/webhooks/{webhookId}': {
      delete: {
        operationId: 'deleteWebhook',
        tags: ['Webhooks'],
        summary: 'Unregister a webhook',
        parameters: [pathParameter('webhookId')],
        responses: { '204': { description: 'Deleted' }, ...errors(401, 404) },
      },
    },
    '/webhooks/dead-letters': {
      get: {
        operationId: 'listDeadLetters',
        tags: ['Webhooks'],
        summary: 'Deliveries that failed every attempt, with the event and the last error',
        responses: { '200': answer('OK', deadLetterListResponse), ...errors(401) },
      },
    },
    '/webhooks/dead-letters/{deliveryId}/redeliver': {
      post: {
        operationId: 'redeliverDeadLetter',
        tags: ['Webhooks'],
        summary: 'Queue a dead letter again (it leaves the list)',
        parameters: [pathParameter('deliveryId')],
        responses: { '202': answer('Queued', redeliveryResponse), ...errors(401, 404, 503) },
      },
    },
  }
}

/** The OpenAPI 3.1 `webhooks`: one entry per event type, as a registered endpoint receives it. */
export function webhookEventOpenApi(eventTypes: readonly string[]): ZodOpenApiPathsObject {
  return Object.fromEntries(
    eventTypes.map((type) => [
      type,
      {
        post: {
          operationId: `on${type.replace(/(^|[._])([a-z])/g, (_match, _separator, letter: string) => letter.toUpperCase())}`,
          tags: ['Webhook events'],
          summary: `The \`${type}\` event, POSTed to each webhook registered for it`,
          security: [],
          parameters: [
            {
              name: SIGNATURE_HEADER,
              in: 'header' as const,
              required: true,
              description: '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the webhook secret>`',
              schema: { type: 'string' as const },
            },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: webhookEventSchema } } },
          responses: { '2XX': { description: 'Received; any other answer is retried with backoff' } },
        },
      },
    ]),
  )
}
