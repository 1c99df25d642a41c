import type { RecordPages } from '@attesto/storage-service'
import { openApi } from '../openapi/openApi.js'
import { documentListHandler } from '../pagination/documentPages.js'
import { pageQuery } from '../pagination/pagination.js'
import { type BoundRoute, operation } from '../routing/operation.js'
import { type WebhookRegistration, webhooks } from './webhookDocuments.js'
import { webhookPageResponse } from './webhookResponses.js'

const { answer, errors } = openApi

export const listWebhooksQuery = pageQuery({})

export const listWebhooks = operation({
  method: 'get',
  path: '/webhooks',
  operationId: 'listWebhooks',
  tags: ['Webhooks'],
  summary: "The tenant's webhooks, page by page, without their secrets",
  query: listWebhooksQuery,
  responses: { '200': answer('OK', webhookPageResponse), ...errors(400, 401) },
})

/** `GET /webhooks`: the tenant's webhooks page by page (registration order), without their secrets. */
export function webhookListRoutes(pages: RecordPages): BoundRoute[] {
  return [
    listWebhooks.handle(
      documentListHandler({
        pages,
        store: webhooks,
        list: 'webhooks',
        items: 'webhooks',
        query: listWebhooksQuery,
        view: ({ secret: _secret, ...hook }: WebhookRegistration) => hook,
      }),
    ),
  ]
}
