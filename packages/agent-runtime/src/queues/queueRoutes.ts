import type { Queue } from 'bullmq'
import { Router } from 'express'
import { queueUnavailable } from './queues.js'

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const

/**
 * `GET /queues` (mounted under `/admin`, admin key): the job counts of each queue the process
 * knows, for dashboards and for scaling workers by queue depth. 503 `queue_unavailable` when
 * Redis does not answer; `{}` when no queue is configured.
 */
export function queueRoutes(queues: Record<string, Queue | undefined>): Router {
  const router = Router()
  router.get('/queues', async (_request, response) => {
    const counts: Record<string, Record<string, number>> = {}
    for (const [name, queue] of Object.entries(queues)) {
      if (!queue) continue
      counts[name] = await queue.getJobCounts(...STATES).catch(() => {
        throw queueUnavailable('The queues (Redis) do not answer; retry later')
      })
    }
    response.json({ queues: counts })
  })
  return router
}
