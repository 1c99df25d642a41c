import type { AgentContext } from '@credo-ts/core'
import { openApi } from '../openapi/openApi.js'
import { type BoundRoute, operation } from '../routing/operation.js'
import { undeliverable } from './webhookDocuments.js'
import { undeliverableResponse } from './webhookResponses.js'

const { answer, errors } = openApi

export const listUndeliverableWebhooks = operation({
  method: 'get',
  path: '/admin/webhooks/undeliverable',
  operationId: 'listUndeliverableWebhooks',
  tags: ['Operations'],
  summary:
    'Webhook deliveries kept because they could not be handled at all (their tenant is gone): event ids and types, never claims',
  security: [{ adminApiKey: [] }],
  responses: { '200': answer('OK', undeliverableResponse), ...errors(401) },
})

/**
 * `GET /admin/webhooks/undeliverable` (behind the admin key): deliveries that could not be
 * handled at all (their tenant is gone), kept in the service's own partition instead of being
 * dropped. Event ids and types only, never claims.
 */
export function undeliverableRoutes(root: AgentContext): BoundRoute[] {
  return [
    listUndeliverableWebhooks.handle(async (_request, response) => {
      response.json({ undeliverable: await undeliverable.list(root) })
    }),
  ]
}
