import type { Queue } from 'bullmq'
import { z } from 'zod'
import { openApi } from '../openapi/openApi.js'
import { type BoundRoute, operation } from '../routing/operation.js'
import { queueUnavailable } from './queues.js'

const { answer, errors } = openApi
const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const

const count = z.number().int().min(0)
const jobCounts = z.object({ waiting: count, active: count, delayed: count, failed: count, completed: count })
export const queueCountsResponse = z
  .object({ queues: z.record(z.string(), jobCounts).meta({ description: 'Job counts by queue name' }) })
  .meta({
    id: 'QueueCounts',
    examples: [{ queues: { webhooks: { waiting: 0, active: 0, delayed: 0, failed: 0, completed: 12 } } }],
  })

export const getQueueCounts = operation({
  method: 'get',
  path: '/admin/queues',
  operationId: 'getQueueCounts',
  tags: ['Operations'],
  summary: 'Job counts (waiting, active, delayed, failed, completed) of each queue, for scaling workers',
  security: [{ adminApiKey: [] }],
  responses: { '200': answer('OK', queueCountsResponse), ...errors(401, 503) },
})

/**
 * `GET /admin/queues` (behind the admin key): the job counts of each queue the process knows, for
 * dashboards and for scaling workers by queue depth. 503 `queue_unavailable` when Redis does not
 * answer; `{}` when no queue is configured.
 */
export function queueRoutes(queues: Record<string, Queue | undefined>): BoundRoute[] {
  return [
    getQueueCounts.handle(async (_request, response) => {
      const counts: Record<string, Record<string, number>> = {}
      for (const [name, queue] of Object.entries(queues)) {
        if (!queue) continue
        counts[name] = await queue.getJobCounts(...STATES).catch(() => {
          throw queueUnavailable('The queues (Redis) do not answer; retry later')
        })
      }
      response.json({ queues: counts })
    }),
  ]
}
