import type { RecordPages } from '@attesto/storage-service'
import { Router } from 'express'
import type { TenantRequestLocals } from '../auth/apiKeys.js'
import { decodeCursor, pageBody, pageQuery } from '../http/pagination.js'
import { documentPage } from '../records/documentPages.js'
import { type WebhookRegistration, webhooks } from './webhookDocuments.js'

export const listWebhooksQuery = pageQuery({})

/** `GET /webhooks`: the tenant's webhooks page by page (registration order), without their secrets. */
export function webhookListRoutes(pages: RecordPages): Router {
  const router = Router()
  router.get('/webhooks', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const query = listWebhooksQuery.parse(request.query)
    const page = await documentPage(pages, tenantContext, webhooks, {
      limit: query.limit,
      after: decodeCursor('webhooks', query.cursor),
    })
    response.json(pageBody('webhooks', 'webhooks', page, ({ secret: _secret, ...hook }: WebhookRegistration) => hook))
  })
  return router
}
