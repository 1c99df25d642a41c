import { Router } from 'express'
import type { ReadinessReturn } from '../agent/createRuntimeAgent.js'

/**
 * `GET /health`: the process is alive (no dependency is consulted).
 * `GET /ready`: storage and KMS answer; 503 with the failing checks otherwise, so a load
 * balancer stops sending traffic to this instance.
 */
export function healthRoutes(readiness: () => Promise<ReadinessReturn>): Router {
  const router = Router()
  router.get('/health', (_request, response) => {
    response.json({ status: 'ok' })
  })
  router.get('/ready', async (_request, response) => {
    const result = await readiness()
    response
      .status(result.ready ? 200 : 503)
      .json({ status: result.ready ? 'ready' : 'not_ready', checks: result.checks })
  })
  return router
}
