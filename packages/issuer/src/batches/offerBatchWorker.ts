import {
  JobQueue,
  type JobWorker,
  QueueConnections,
  type RuntimeMetrics,
  storageServiceOf,
  TenantsApi,
  updateWithLock,
  type WebhookService,
} from '@attesto/agent-runtime'
import type { RedisTarget } from '@attesto/did-cache'
import type { AgentContext, Logger } from '@credo-ts/core'
import type { Job } from 'bullmq'
import { createOffer, findOffer, type OfferMaker, offerTarget } from '../issuance/createOffer.js'
import { newPreAuthorizedCode } from '../issuance/IssuanceSession.js'
import { type IssuerEvents, issuerEvents } from '../webhooks/issuerEvents.js'
import type { BatchConfig } from './batchConfig.js'
import { OfferBatchChunkRecord } from './OfferBatchChunkRecord.js'
import { OfferBatchRecord } from './OfferBatchRecord.js'
import { batchSummary } from './offerBatches.js'
import { type ChunkJob, chunkJobId, type OfferBatchQueue, offerBatchJobs } from './offerBatchQueue.js'
import { claimRowKey, type RowKeyOwner } from './rowKeys.js'
import { TenantRateLimiter } from './tenantRateLimiter.js'

/** Results are saved after this many rows, and at the end of the chunk. */
const SAVE_EVERY_ROWS = 25
const RESUME_EVERY_MILLIS = 60_000

export interface OfferBatchWorkerOptions {
  root: AgentContext
  /** The process's queue connections; without them, connections of its own to `redis` under `prefix`. */
  connections?: QueueConnections
  /** Redis of the queue: a URL or a cluster (when no `connections` are given). */
  redis?: RedisTarget
  /** Key prefix of the queues in Redis (the runtime's `QUEUE_PREFIX`, when no `connections` are given). */
  prefix?: string
  /** Counts the chunk jobs' outcomes. */
  metrics?: RuntimeMetrics
  config: BatchConfig
  logger: Logger
  /** Where `batch.finished` events go, when webhooks are on. */
  webhooks?: WebhookService
  /** Where offers are made. */
  offers: OfferMaker
}

/**
 * The consumer side: runs chunk jobs, `config.concurrency` at once. Each row gets exactly one
 * offer: the chunk's pre-authorised codes are stored before any offer is made, and a retried
 * or resumed chunk looks for an offer with a row's code before making one. A finished chunk is
 * counted into its batch once (under a row lock) and queues the batch's next chunk.
 */
export class OfferBatchWorker {
  /** Connections this worker made (and closes), when none were given. */
  private readonly ownConnections?: QueueConnections
  private readonly queue: OfferBatchQueue
  private readonly limiter: TenantRateLimiter
  private readonly jobs: JobWorker<ChunkJob>
  private readonly events: IssuerEvents
  private resumeTimer?: NodeJS.Timeout

  public constructor(private readonly options: OfferBatchWorkerOptions) {
    this.events = issuerEvents(options.webhooks)
    const { config, logger } = options
    if (!options.connections && (!options.redis || options.prefix === undefined)) {
      throw new TypeError('An offer batch worker needs queue connections, or Redis and a prefix')
    }
    this.ownConnections = options.connections
      ? undefined
      : new QueueConnections(options.redis as RedisTarget, options.prefix as string)
    const connections = options.connections ?? (this.ownConnections as QueueConnections)
    this.queue = new JobQueue(offerBatchJobs(config), connections, logger)
    this.limiter = new TenantRateLimiter(connections.worker, config.tenantOffersPerSecond, connections.configuredPrefix)
    this.jobs = this.queue.work({ process: (job) => this.process(job) }, logger, options.metrics)
  }

  /** The BullMQ worker (its job outcomes are counted by the metrics). */
  public get worker() {
    return this.jobs.worker
  }

  /** Starts the periodic resumption of unfinished batches (also once at once). */
  public start(): this {
    const resume = () =>
      this.resumeUnfinishedBatches().catch((error: unknown) =>
        this.options.logger.warn('Could not resume unfinished batches', { error }),
      )
    void resume()
    this.resumeTimer = setInterval(resume, RESUME_EVERY_MILLIS)
    this.resumeTimer.unref()
    return this
  }

  /** Stops taking jobs, lets the running ones finish, and disconnects. */
  public async close(): Promise<void> {
    if (this.resumeTimer) clearInterval(this.resumeTimer)
    await this.queue.close()
    this.ownConnections?.close()
  }

  /**
   * Re-queues what an unfinished batch needs next, in case Redis lost its jobs (a restart
   * without persistence) or a chunk failed for good; adding a chunk that is queued is a no-op.
   */
  public async resumeUnfinishedBatches(): Promise<void> {
    const { root, config } = this.options
    const batches = await storageServiceOf<OfferBatchRecord>(root).findByQuery(root, OfferBatchRecord, {
      state: 'queued',
    })
    for (const batch of batches) {
      const uncounted = Array.from({ length: batch.chunkCount }, (_, index) => index).filter(
        (index) => !batch.countedChunks.includes(index),
      )
      for (const index of uncounted.slice(0, config.chunksInFlight)) {
        const job = { tenantId: batch.tenantId, batchId: batch.id, index }
        await this.queue.add(job)
        await this.queue.retryIfFailed(chunkJobId(job))
      }
    }
  }

  private async process(job: Job<ChunkJob>): Promise<void> {
    const { root, config } = this.options
    const { tenantId, batchId, index } = job.data
    const batch = await storageServiceOf<OfferBatchRecord>(root).getById(root, OfferBatchRecord, batchId)
    if (!batch.countedChunks.includes(index)) {
      const tenantContext = await root.dependencyManager.resolve(TenantsApi).getTenantAgentContext(tenantId)
      const started = performance.now()
      const chunk = await this.makeOffers(job, batch, tenantContext)
      await this.count(batch.id, chunk)
      const offers = chunk.results.filter((result) => result && 'offerId' in result).length
      this.options.logger.info('Offer batch chunk done', {
        tenantId,
        batchId,
        chunk: index,
        rows: chunk.rows.length,
        offers,
        failed: chunk.results.length - offers,
        attempt: job.attemptsMade + 1,
        durationMs: Math.round(performance.now() - started),
      })
    }
    const next = index + config.chunksInFlight
    if (next < batch.chunkCount) await this.queue.add({ tenantId, batchId, index: next })
  }

  private async makeOffers(
    job: Job<ChunkJob>,
    batch: OfferBatchRecord,
    tenantContext: AgentContext,
  ): Promise<OfferBatchChunkRecord> {
    const storage = storageServiceOf<OfferBatchChunkRecord>(tenantContext)
    const chunk = await storage.getById(tenantContext, OfferBatchChunkRecord, `${batch.id}-${job.data.index}`)
    chunk.attempts += 1
    if (chunk.codes.length === 0) chunk.codes = chunk.rows.map(() => newPreAuthorizedCode())
    await storage.update(tenantContext, chunk)
    try {
      const target = await offerTarget(tenantContext, batch.issuerId, batch.credentialConfigurationId)
      let unsaved = 0
      for (const [position, { row, claims, key }] of chunk.rows.entries()) {
        if (chunk.results[position]) continue
        const code = chunk.codes[position] as string
        if (key !== undefined) {
          const owner = await claimRowKey(tenantContext, key, { batchId: batch.id, row, code })
          if (owner.batchId !== batch.id || owner.row !== row) {
            chunk.results[position] = await this.duplicateResult(batch.tenantId, row, key, owner)
            continue
          }
        }
        await this.limiter.take(batch.tenantId)
        // With the row's pre-chosen code, a resumed chunk gets the offer a killed attempt made.
        const offer = await createOffer(this.options.offers, batch.tenantId, target, {
          claims,
          txCodeLength: batch.txCodeLength,
          expiresInSeconds: batch.expiresInSeconds,
          preAuthorizedCode: code,
        })
        chunk.results[position] = { row, ...offer }
        if (++unsaved >= SAVE_EVERY_ROWS) {
          await storage.update(tenantContext, chunk)
          unsaved = 0
        }
      }
      await storage.update(tenantContext, chunk)
      return chunk
    } catch (error) {
      await storage.update(tenantContext, chunk).catch(() => {})
      if (job.attemptsMade + 1 < this.options.config.attempts) throw error
      // The last attempt: the rows still without an offer are reported failed, and the batch goes on.
      const message = `No offer after ${this.options.config.attempts} attempts: ${(error as Error).message}`
      chunk.rows.forEach(({ row }, position) => {
        chunk.results[position] ??= { row, error: { code: 'offer_failed', message } }
      })
      await storage.update(tenantContext, chunk)
      return chunk
    }
  }

  /** A row whose key another row claimed first: that row's offer, or a pointer to it while it is being made. */
  private async duplicateResult(tenantId: string, row: number, key: string, owner: RowKeyOwner) {
    const original = await findOffer(this.options.offers, tenantId, owner.code)
    if (original) return { row, ...original, duplicateOf: { batchId: owner.batchId, row: owner.row } }
    return {
      row,
      error: {
        code: 'row_key_submitted',
        message: `Row key '${key}' was first submitted in batch ${owner.batchId}, row ${owner.row}; its one offer is made there`,
      },
    }
  }

  /** Counts a finished chunk into its batch, once, and finishes the batch with its last chunk. */
  private async count(batchId: string, chunk: OfferBatchChunkRecord): Promise<void> {
    const done = chunk.results.filter((result) => result && 'offerId' in result).length
    const failed = chunk.results.length - done
    let finishedNow = false
    const batch = await updateWithLock(this.options.root, OfferBatchRecord, batchId, (batch) => {
      if (batch.countedChunks.includes(chunk.index)) return batch
      batch.countedChunks.push(chunk.index)
      batch.done += done
      batch.failed += failed
      if (batch.countedChunks.length === batch.chunkCount) {
        batch.state = 'finished'
        batch.finishedAt = new Date().toISOString()
        finishedNow = true
      }
      return batch
    })
    if (finishedNow) {
      this.options.logger.info('Offer batch finished', {
        tenantId: batch.tenantId,
        batchId: batch.id,
        chunks: batch.chunkCount,
        done: batch.done,
        failed: batch.failed,
      })
      await this.events.onBatchFinished(batch.tenantId, batch.id, batchSummary(batch))
    }
  }
}
