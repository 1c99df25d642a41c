import { createHash } from 'node:crypto'
import { fromQueueSettings, type JobDefinition, type QueueSettings } from '@attesto/agent-runtime'
import { z } from 'zod'

export const DEFERRED_CLAIMS_QUEUE = 'deferred-claims'

export interface ApprovalJob {
  tenantId: string
  offerId: string
  claims: Record<string, unknown>
}

const approvalJob: z.ZodType<ApprovalJob> = z.object({
  tenantId: z.string(),
  offerId: z.string(),
  claims: z.record(z.string(), z.unknown()),
})

/** The job id of an approval: the offer id and a digest of the claims (the same approval is queued once). */
const approvalJobId = ({ offerId, claims }: ApprovalJob) =>
  `${offerId}-claims-${createHash('sha256').update(JSON.stringify(claims)).digest('hex').slice(0, 32)}`

/** Approved claims of deferred offers, one job per offer and set of claims. */
export function deferredClaimsJobs(settings: QueueSettings): JobDefinition<ApprovalJob> {
  return {
    name: DEFERRED_CLAIMS_QUEUE,
    jobName: 'approve',
    title: 'Deferred approval',
    payload: approvalJob,
    jobId: approvalJobId,
    ...fromQueueSettings(settings),
  }
}
