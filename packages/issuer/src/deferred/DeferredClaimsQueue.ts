import { JobQueue, type QueueConnections, type QueueSettings, type RuntimeMetrics } from '@attesto/agent-runtime'
import type { Logger } from '@credo-ts/core'
import type { Job } from 'bullmq'
import type { IssuanceSessionStore } from '../issuance/IssuanceSessionStore.js'
import { type ApprovalJob, deferredClaimsJobs } from './deferredClaimsJobs.js'

/**
 * Approved claims of deferred offers, queued and recorded in the offer's session by a worker; the
 * wallet's next deferred-credential request then gets the credential. The same approval sent
 * twice is queued once, and a corrected one after a failed approval is queued anew (the failed
 * job is removed). The session row records claims once per offer. Claims never reach a log line
 * or a job's stored failure reason.
 */
export class DeferredClaimsQueue extends JobQueue<ApprovalJob, void> {
  public constructor(connections: QueueConnections, settings: QueueSettings, logger?: Logger) {
    super(deferredClaimsJobs(settings), connections, logger)
  }

  public override add(job: ApprovalJob): Promise<string> {
    return super.add(job, { replaceFailed: true })
  }

  /** Starts recording approvals (the issuer worker does; tests may too). */
  public startWorking(sessions: IssuanceSessionStore, logger: Logger, metrics?: RuntimeMetrics): this {
    this.work({ process: (job) => approve(sessions, job) }, logger, metrics)
    return this
  }
}

/** Records the claims in the offer's session (once: a repeated job finds them there and changes nothing). */
async function approve(sessions: IssuanceSessionStore, job: Job<ApprovalJob>): Promise<void> {
  const { tenantId, offerId, claims } = job.data
  try {
    await sessions.approveClaims(tenantId, offerId, claims)
  } catch (error) {
    // A database error can quote the statement's values (the claims): keep only its class and code.
    const code = (error as { code?: unknown; cause?: { code?: unknown } }).cause?.code
    throw new ApprovalFailedError(`${(error as Error).name}${typeof code === 'string' ? ` (${code})` : ''}`)
  }
}

/** A failed approval, described without the claims or the database's message. */
export class ApprovalFailedError extends Error {
  public constructor(public readonly reason: string) {
    super(`Recording the approved claims failed: ${reason}`)
  }
}
