import { openApi } from '../http/openApiDocument.js'

/** The webhook endpoints every service has, for its OpenAPI document. */
export function webhookOpenApiPaths(eventTypes: string[]) {
  const { json, errors, pathParameter } = openApi
  return {
    '/webhooks': {
      post: {
        summary:
          'Register an HTTPS endpoint for events; deliveries are signed (attesto-signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">) with the secret returned here, once',
        requestBody: json({
          type: 'object',
          required: ['url', 'events'],
          properties: {
            url: { type: 'string', format: 'uri' },
            events: { type: 'array', items: { enum: eventTypes } },
          },
        }),
        responses: {
          '201': {
            description: 'Registered',
            ...json({
              type: 'object',
              properties: {
                webhookId: { type: 'string' },
                url: { type: 'string' },
                events: { type: 'array', items: { type: 'string' } },
                secret: { type: 'string' },
              },
            }),
          },
          ...errors(400, 401, 409, 503),
        },
      },
      get: {
        summary: "The tenant's webhooks (without secrets)",
        responses: { '200': { description: 'OK' }, ...errors(401) },
      },
    },
    '/webhooks/{webhookId}': {
      delete: {
        summary: 'Unregister a webhook',
        parameters: [pathParameter('webhookId')],
        responses: { '204': { description: 'Deleted' }, ...errors(401, 404) },
      },
    },
    '/webhooks/dead-letters': {
      get: {
        summary: 'Deliveries that failed every attempt, with the event and the last error',
        responses: { '200': { description: 'OK' }, ...errors(401) },
      },
    },
    '/webhooks/dead-letters/{deliveryId}/redeliver': {
      post: {
        summary: 'Queue a dead letter again (it leaves the list)',
        parameters: [pathParameter('deliveryId')],
        responses: { '202': { description: 'Queued' }, ...errors(401, 404, 503) },
      },
    },
  }
}
