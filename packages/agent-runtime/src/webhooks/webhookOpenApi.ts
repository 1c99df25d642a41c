import type { ZodOpenApiPathsObject } from 'zod-openapi'
import { webhookEventSchema } from './webhookResponses.js'
import { SIGNATURE_HEADER } from './webhookSignature.js'

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
