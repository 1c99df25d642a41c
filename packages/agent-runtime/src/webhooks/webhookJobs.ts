import { z } from 'zod'
import type { WebhookConfig } from '../config/runtimeConfig.js'
import type { JobDefinition } from '../queues/JobDefinition.js'
import type { WebhookEvent } from './webhookDocuments.js'

/**
 * The delivery queue of a role. The role is in the name, so an issuer and a verifier on one Redis
 * (and one `QUEUE_PREFIX`) never take each other's deliveries.
 */
export const webhookQueueName = (role: 'issuer' | 'verifier') => `${role}-webhooks`

/** One delivery of one event to one webhook. */
export interface DeliveryJob {
  tenantId: string
  webhookId: string
  deliveryId: string
  event: WebhookEvent
  /** The request that caused the event, sent as `X-Request-Id` with the delivery. */
  requestId?: string
}

const deliveryJob: z.ZodType<DeliveryJob> = z.object({
  tenantId: z.string(),
  webhookId: z.string(),
  deliveryId: z.string(),
  event: z.object({ id: z.string(), type: z.string(), createdAt: z.string(), data: z.record(z.string(), z.unknown()) }),
  requestId: z.string().optional(),
})

/** Webhook deliveries: one job per event and subscribed webhook, its id the delivery id. */
export function webhookDeliveryJobs(role: 'issuer' | 'verifier', config: WebhookConfig): JobDefinition<DeliveryJob> {
  return {
    name: webhookQueueName(role),
    label: 'webhooks',
    jobName: 'delivery',
    title: 'Webhook delivery',
    payload: deliveryJob,
    retry: { attempts: config.attempts, backoffMillis: config.backoffMillis },
    jobId: (job) => job.deliveryId,
    worker: { concurrency: config.concurrency },
  }
}
