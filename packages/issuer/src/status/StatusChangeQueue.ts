import { JobQueue, type QueueConnections, type QueueSettings, type RuntimeMetrics } from '@attesto/agent-runtime'
import type { Logger } from '@credo-ts/core'
import type { Job } from 'bullmq'
import type { CredentialStatusService } from './CredentialStatusService.js'
import { type StatusChangeJob, statusChangeJobs } from './statusChangeJobs.js'

/** What a bulk change did, per outcome (ids listed for the ones that did not change, first 1,000). */
export interface StatusChangeResult {
  changed: number
  unchanged: number
  refused: string[]
  notFound: string[]
}

/**
 * Bulk status changes (a list of offer ids), queued and applied by the issuer worker one
 * statement per credential. A retried job repeats its changes harmlessly: a change to the status
 * a credential has already counts as `unchanged`.
 */
export class StatusChangeQueue extends JobQueue<StatusChangeJob, StatusChangeResult> {
  public constructor(connections: QueueConnections, settings: QueueSettings, logger?: Logger) {
    super(statusChangeJobs(settings), connections, logger)
  }

  /** The job of a tenant's batch, or undefined (another tenant's batch is not found either). */
  public async get(tenantId: string, batchId: string): Promise<Job<StatusChangeJob, StatusChangeResult> | undefined> {
    const job = await this.getJob(batchId)
    return job && job.data.tenantId === tenantId ? job : undefined
  }

  public startWorking(service: CredentialStatusService, logger: Logger, metrics?: RuntimeMetrics): this {
    this.work({ process: (job) => applyChanges(service, job) }, logger, metrics)
    return this
  }
}

async function applyChanges(service: CredentialStatusService, job: Job<StatusChangeJob>): Promise<StatusChangeResult> {
  const { tenantId, status, offerIds } = job.data
  const result: StatusChangeResult = { changed: 0, unchanged: 0, refused: [], notFound: [] }
  for (const [done, offerId] of offerIds.entries()) {
    const change = await service.change(tenantId, offerId, status)
    if (change.outcome === 'changed') result.changed += 1
    else if (change.outcome === 'unchanged') result.unchanged += 1
    else if (change.outcome === 'refused') result.refused.length < 1000 && result.refused.push(offerId)
    else if (result.notFound.length < 1000) result.notFound.push(offerId)
    if (done % 500 === 499) await job.updateProgress(done + 1)
  }
  return result
}
