import { JobQueue, type QueueConnections } from '@attesto/agent-runtime'
import type { Logger } from '@credo-ts/core'
import type { BatchConfig } from '../batches/batchConfig.js'
import { type OfferBatchQueue, offerBatchJobs } from '../batches/offerBatchQueue.js'
import { DeferredClaimsQueue } from '../deferred/DeferredClaimsQueue.js'
import { StatusChangeQueue } from '../status/StatusChangeQueue.js'
import type { IssuerWork } from './IssuerRuntime.js'

/**
 * The issuer's queues in Redis (bulk offers, deferred claims, bulk status changes) on the
 * process's queue connections, producer side; a worker process also works them (`worker.ts`).
 * Every queue shares the retry policy and the lock settings of `QUEUE_*`.
 */
export function createIssuerQueues(connections: QueueConnections, batchConfig: BatchConfig, logger: Logger) {
  const queues = {
    offerBatches: new JobQueue(offerBatchJobs(batchConfig), connections, logger) as OfferBatchQueue,
    deferredClaims: new DeferredClaimsQueue(connections, batchConfig, logger),
    statusChanges: new StatusChangeQueue(connections, batchConfig, logger),
  }
  const close = async () => {
    await queues.statusChanges.close()
    await queues.offerBatches.close()
    await queues.deferredClaims.close()
  }
  return { queues, close }
}

/** The issuer's queues by their metrics label (depth at `GET /admin/queues` and in `attesto_queue_jobs`). */
export function issuerQueuesByLabel(work: IssuerWork) {
  return {
    'offer-batches': work.offerBatches?.queue,
    'deferred-claims': work.deferredClaims?.queue,
    'status-changes': work.statusChanges?.queue,
  }
}
