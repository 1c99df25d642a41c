import { fromQueueSettings, type JobDefinition, type QueueSettings } from '@attesto/agent-runtime'
import type { CredentialStatusValue } from '@attesto/protocol-kit'
import { z } from 'zod'

export const STATUS_CHANGES_QUEUE = 'status-changes'

export interface StatusChangeJob {
  tenantId: string
  status: CredentialStatusValue
  offerIds: string[]
}

const statusChangeJob: z.ZodType<StatusChangeJob> = z.object({
  tenantId: z.string(),
  status: z.enum(['valid', 'revoked', 'suspended']),
  offerIds: z.array(z.string()),
})

/** Bulk status changes: one job per batch of offer ids, its id the batch id (random), four at once per worker. */
export function statusChangeJobs(settings: QueueSettings): JobDefinition<StatusChangeJob> {
  const { retry, worker } = fromQueueSettings(settings)
  return {
    name: STATUS_CHANGES_QUEUE,
    jobName: 'change',
    title: 'Status change batch',
    payload: statusChangeJob,
    retry,
    worker: { ...worker, concurrency: 4 },
  }
}
