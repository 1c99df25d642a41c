import type { RedisTarget } from '@attesto/did-cache'
import type { Logger } from '@credo-ts/core'
import type { BatchConfig } from '../batches/batchConfig.js'
import { OfferBatchQueue } from '../batches/offerBatchQueue.js'
import { DeferredClaimsQueue } from '../deferred/DeferredClaimsQueue.js'
import { StatusChangeQueue } from '../status/StatusChangeQueue.js'

/** The producer side of the issuer's queues in Redis: bulk offers, deferred claims, bulk status changes. */
export function createIssuerQueues(redis: RedisTarget, prefix: string, batchConfig: BatchConfig, logger: Logger) {
  const { attempts, backoffMillis } = batchConfig
  const queues = {
    offerBatches: new OfferBatchQueue(redis, prefix, batchConfig, logger),
    deferredClaims: new DeferredClaimsQueue(redis, prefix, attempts, backoffMillis, logger),
    statusChanges: new StatusChangeQueue(redis, prefix, attempts, backoffMillis, logger),
  }
  const close = async () => {
    await queues.statusChanges.close()
    await queues.offerBatches.close()
    await queues.deferredClaims.close()
  }
  return { queues, close }
}
