import type { AgentContext } from '@credo-ts/core'
import { Router } from 'express'
import { undeliverable } from './webhookDocuments.js'

/**
 * `GET /webhooks/undeliverable` (mounted under `/admin`, admin key): deliveries that could not be
 * handled at all (their tenant is gone), kept in the service's own partition instead of being
 * dropped. Event ids and types only, never claims.
 */
export function undeliverableRoutes(root: AgentContext): Router {
  const router = Router()
  router.get('/webhooks/undeliverable', async (_request, response) => {
    response.json({ undeliverable: await undeliverable.list(root) })
  })
  return router
}
