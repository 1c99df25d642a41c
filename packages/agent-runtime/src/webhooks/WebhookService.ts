import type { RedisClient, RedisTarget } from '@attesto/did-cache'
import { type AgentContext, type Logger, RecordNotFoundError } from '@credo-ts/core'
import { DelayedError, type Job, type Queue, Worker } from 'bullmq'
import type { WebhookConfig } from '../config/runtimeConfig.js'
import { currentRequestId } from '../logging/requestContext.js'
import type { WebhookDeliveryStats } from '../metrics/collectors.js'
import { producerQueue, retryingJob, workerConnection } from '../queues/queues.js'
import { TenantsApi } from '../tenancy/TenantsApi.js'
import { postJson } from './postJson.js'
import {
  type DeadLetter,
  deadLetters,
  undeliverable,
  type WebhookEvent,
  webhookOutbox,
  webhooks,
} from './webhookDocuments.js'
import { SIGNATURE_HEADER, signWebhook } from './webhookSignature.js'

/**
 * The delivery queue of a role. The role is in the name, so an issuer and a verifier on one Redis
 * (and one `QUEUE_PREFIX`) never take each other's deliveries.
 */
export const webhookQueueName = (role: 'issuer' | 'verifier') => `${role}-webhooks`

/** How long a delivery waits when its tenant already has its share of deliveries running. */
const TENANT_BUSY_DELAY_MILLIS = 250

interface DeliveryJob {
  tenantId: string
  webhookId: string
  deliveryId: string
  event: WebhookEvent
  /** The request that caused the event, sent as `X-Request-Id` with the delivery. */
  requestId?: string
}

/**
 * Webhooks of both services: events are queued (BullMQ on Redis) as one delivery per subscribed
 * webhook, POSTed with an HMAC signature of the body, retried with exponential backoff and
 * jitter, and after the last attempt kept in the tenant's dead-letter list, from which they can
 * be redelivered. Every instance both queues and delivers. A tenant has at most
 * `concurrencyPerTenant` deliveries running per process (the others wait, delayed, without holding
 * a worker slot), so one tenant's slow endpoints cannot delay another tenant's events. A delivery
 * that cannot be handled at all (its tenant is gone) is kept in the service's undeliverable list.
 */
export class WebhookService {
  private readonly producer: ReturnType<typeof producerQueue<DeliveryJob>>
  private readonly workerConnection: RedisClient
  private worker?: Worker<DeliveryJob>
  private sweepTimer?: NodeJS.Timeout
  private readonly queueName: string
  private readonly runningPerTenant = new Map<string, number>()
  /** Delivery attempts of this process by outcome (read by the metrics). */
  public readonly stats: WebhookDeliveryStats = { delivered: 0, failed: 0, deadLettered: 0, undeliverable: 0 }

  public constructor(
    private readonly root: AgentContext,
    redis: RedisTarget,
    private readonly config: WebhookConfig,
    prefix: string,
    private readonly logger: Logger,
    role: 'issuer' | 'verifier',
  ) {
    this.queueName = webhookQueueName(role)
    this.producer = producerQueue<DeliveryJob>(redis, this.queueName, prefix, logger)
    this.workerConnection = workerConnection(redis)
  }

  /** The most webhooks one tenant may register. */
  public get maxPerTenant(): number {
    return this.config.maxPerTenant
  }

  /** The delivering worker, once started (its job outcomes are counted by the metrics). */
  public get deliveryWorker(): Worker<DeliveryJob> | undefined {
    return this.worker
  }

  /** The delivery queue (for depth reporting). */
  public get queue(): Queue<DeliveryJob> {
    return this.producer.queue
  }

  /**
   * Starts delivering (each process that should deliver calls this once), and sweeping the
   * outbox of events that could not be queued while Redis was away.
   */
  public startDelivering(sweepEveryMillis = 15_000): this {
    this.sweepTimer = setInterval(() => void this.sweepOutbox(), sweepEveryMillis)
    this.sweepTimer.unref()
    this.worker = new Worker<DeliveryJob>(this.queueName, (job, token) => this.deliverFair(job, token), {
      connection: this.workerConnection,
      prefix: this.producer.prefix,
      concurrency: this.config.concurrency,
    })
    this.worker.on('error', (error) => this.logger.warn('Webhook worker: Redis error', { error }))
    return this
  }

  /**
   * Queues `event` for every webhook of the tenant subscribed to its type. Never throws: the
   * event's own action has already happened. A delivery that cannot be queued (Redis away) is
   * kept in the outbox in storage and queued by a later sweep.
   */
  public async emit(tenantId: string, event: Omit<WebhookEvent, 'createdAt'>): Promise<void> {
    try {
      const tenantContext = await this.root.dependencyManager.resolve(TenantsApi).getTenantAgentContext(tenantId)
      const subscribed = (await webhooks.list(tenantContext)).filter((hook) => hook.events.includes(event.type))
      const full = { ...event, createdAt: new Date().toISOString() }
      const requestId = currentRequestId()
      for (const hook of subscribed) {
        const job: DeliveryJob = {
          tenantId,
          webhookId: hook.webhookId,
          deliveryId: `${event.id}-${hook.webhookId}`,
          event: full,
          ...(requestId ? { requestId } : {}),
        }
        await this.add(job, job.deliveryId).catch(async (error: unknown) => {
          this.logger.warn('Webhook delivery kept in the outbox until the queue is back', { error })
          await webhookOutbox.put(this.root, job.deliveryId, job)
        })
      }
    } catch (error) {
      this.logger.error('Could not queue a webhook event', { tenantId, type: event.type, id: event.id, error })
    }
  }

  /** Queues what the outbox holds (each delivery id once), removing what was queued. */
  public async sweepOutbox(): Promise<number> {
    let queued = 0
    try {
      for (const entry of await webhookOutbox.list(this.root)) {
        await this.add(entry, entry.deliveryId)
        await webhookOutbox.remove(this.root, entry.deliveryId)
        queued++
      }
    } catch (error) {
      this.logger.debug('Webhook outbox not swept yet', { error })
    }
    return queued
  }

  /** Queues a dead letter again, as a new delivery, and removes it from the list. */
  public async redeliver(tenantContext: AgentContext, tenantId: string, letter: DeadLetter): Promise<string> {
    const deliveryId = `${letter.deliveryId}-r${Date.now()}`
    await this.add({ tenantId, webhookId: letter.webhookId, deliveryId, event: letter.event }, deliveryId)
    await deadLetters.remove(tenantContext, letter.deliveryId)
    return deliveryId
  }

  public async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer)
    await this.worker?.close()
    await this.producer.close()
    this.workerConnection.disconnect()
  }

  private async add(job: DeliveryJob, jobId: string): Promise<void> {
    await this.producer.queue.add('delivery', job, retryingJob(jobId, this.config.attempts, this.config.backoffMillis))
  }

  /** Runs a delivery unless its tenant has its share running here; then it waits, delayed. */
  private async deliverFair(job: Job<DeliveryJob>, token?: string): Promise<void> {
    const { tenantId } = job.data
    const running = this.runningPerTenant.get(tenantId) ?? 0
    if (running >= this.config.concurrencyPerTenant) {
      await job.moveToDelayed(Date.now() + TENANT_BUSY_DELAY_MILLIS * (1 + Math.random()), token)
      throw new DelayedError()
    }
    this.runningPerTenant.set(tenantId, running + 1)
    try {
      await this.deliver(job)
    } finally {
      const left = (this.runningPerTenant.get(tenantId) ?? 1) - 1
      if (left > 0) this.runningPerTenant.set(tenantId, left)
      else this.runningPerTenant.delete(tenantId)
    }
  }

  private async deliver(job: Job<DeliveryJob>): Promise<void> {
    const { tenantId, webhookId, deliveryId, event } = job.data
    const attempts = job.attemptsMade + 1
    const lastAttempt = attempts >= this.config.attempts
    let tenantContext: AgentContext
    try {
      tenantContext = await this.root.dependencyManager.resolve(TenantsApi).getTenantAgentContext(tenantId)
      await this.root.dependencyManager.resolve(TenantsApi).getTenantById(tenantId)
    } catch (error) {
      if (lastAttempt || error instanceof RecordNotFoundError) {
        // No tenant to hold the dead letter: the service keeps it, never drops it.
        await undeliverable.put(this.root, deliveryId, {
          ...job.data,
          attempts,
          lastError: error instanceof RecordNotFoundError ? 'tenant_not_found' : (error as Error).name,
          failedAt: new Date().toISOString(),
        })
        this.stats.undeliverable++
        this.logger.warn('Webhook delivery kept as undeliverable', { tenantId, webhookId, deliveryId })
        if (error instanceof RecordNotFoundError) return
      }
      throw error
    }
    const hook = await webhooks.find(tenantContext, webhookId)
    if (!hook) return // unregistered since: nothing to deliver, on purpose
    const body = JSON.stringify(event)
    try {
      const status = await postJson(hook.url, body, {
        headers: {
          [SIGNATURE_HEADER]: signWebhook(hook.secret, Math.floor(Date.now() / 1000), body),
          'attesto-event': event.type,
          'attesto-delivery': deliveryId,
          ...(job.data.requestId ? { 'x-request-id': job.data.requestId } : {}),
        },
        timeoutMillis: this.config.timeoutMillis,
        allowInsecure: this.config.allowInsecure,
      })
      if (status < 200 || status >= 300) throw new Error(`The endpoint answered ${status}`)
      this.stats.delivered++
    } catch (error) {
      this.stats.failed++
      if (lastAttempt) {
        this.stats.deadLettered++
        await deadLetters.put(tenantContext, deliveryId, {
          deliveryId,
          webhookId,
          url: hook.url,
          event,
          attempts,
          lastError: (error as Error).message,
          failedAt: new Date().toISOString(),
        })
        this.logger.warn('Webhook delivery moved to the dead-letter list', { tenantId, webhookId, deliveryId })
      }
      throw error
    }
  }
}
