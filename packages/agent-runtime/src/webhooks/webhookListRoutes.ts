import type { RecordPages } from '@attesto/storage-service'
import { Router } from 'express'
import { documentListHandler } from '../pagination/documentPages.js'
import { pageQuery } from '../pagination/pagination.js'
import { type WebhookRegistration, webhooks } from './webhookDocuments.js'

export const listWebhooksQuery = pageQuery({})

/** `GET /webhooks`: the tenant's webhooks page by page (registration order), without their secrets. */
export function webhookListRoutes(pages: RecordPages): Router {
  const router = Router()
  router.get(
    '/webhooks',
    documentListHandler({
      pages,
      store: webhooks,
      list: 'webhooks',
      items: 'webhooks',
      query: listWebhooksQuery,
      view: ({ secret: _secret, ...hook }: WebhookRegistration) => hook,
    }),
  )
  return router
}
