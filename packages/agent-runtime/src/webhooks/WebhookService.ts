import { type AgentContext, type Logger, RecordNotFoundError } from '@credo-ts/core'
import { DelayedError, type Job, type Queue, type Worker } from 'bullmq'
import type { WebhookConfig } from '../config/runtimeConfig.js'
import { currentRequestId } from '../logging/requestContext.js'
import type { WebhookDeliveryStats } from '../metrics/collectors.js'
import type { RuntimeMetrics } from '../metrics/RuntimeMetrics.js'
import { JobQueue } from '../queues/JobQueue.js'
import { JobWorker } from '../queues/JobWorker.js'
import type { QueueConnections } from '../queues/QueueConnections.js'
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
import { type DeliveryJob, webhookDeliveryJobs } from './webhookJobs.js'
import { SIGNATURE_HEADER, signWebhook } from './webhookSignature.js'

/** How long a delivery waits when its tenant already has its share of deliveries running. */
const TENANT_BUSY_DELAY_MILLIS = 250

/** A delivery attempt that reached no 2xx answer from the webhook's endpoint. */
class WebhookDeliveryError extends Error {
  public constructor(
    message: string,
    public readonly url: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
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
  private readonly producer: JobQueue<DeliveryJob>
  private worker?: JobWorker<DeliveryJob>
  private sweepTimer?: NodeJS.Timeout
  private readonly runningPerTenant = new Map<string, number>()
  /** Delivery attempts of this process by outcome (read by the metrics). */
  public readonly stats: WebhookDeliveryStats = { delivered: 0, failed: 0, deadLettered: 0, undeliverable: 0 }

  public constructor(
    private readonly root: AgentContext,
    private readonly connections: QueueConnections,
    private readonly config: WebhookConfig,
    private readonly logger: Logger,
    role: 'issuer' | 'verifier',
  ) {
    this.producer = new JobQueue(webhookDeliveryJobs(role, config), connections, logger)
  }

  /** The most webhooks one tenant may register. */
  public get maxPerTenant(): number {
    return this.config.maxPerTenant
  }

  /** The delivering worker, once started. */
  public get deliveryWorker(): Worker<DeliveryJob> | undefined {
    return this.worker?.worker
  }

  /** The delivery queue (for depth reporting). */
  public get queue(): Queue<DeliveryJob> {
    return this.producer.queue
  }

  /**
   * Starts delivering (each process that should deliver calls this once), and sweeping the
   * outbox of events that could not be queued while Redis was away.
   */
  public startDelivering(metrics?: RuntimeMetrics, sweepEveryMillis = 15_000): this {
    this.sweepTimer = setInterval(() => void this.sweepOutbox(), sweepEveryMillis)
    this.sweepTimer.unref()
    this.worker = new JobWorker(
      this.producer.definition,
      {
        process: (job, token) => this.deliverFair(job, token),
        deadLetter: (job, error) => this.deadLetter(job, error),
      },
      { connections: this.connections, logger: this.logger, metrics },
    )
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
        await this.producer.add(job).catch(async (error: unknown) => {
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
        await this.producer.add(entry)
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
    await this.producer.add({ tenantId, webhookId: letter.webhookId, deliveryId, event: letter.event })
    await deadLetters.remove(tenantContext, letter.deliveryId)
    return deliveryId
  }

  public async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer)
    await this.worker?.close()
    await this.producer.close()
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
    let tenantContext: AgentContext
    try {
      tenantContext = await this.root.dependencyManager.resolve(TenantsApi).getTenantAgentContext(tenantId)
      await this.root.dependencyManager.resolve(TenantsApi).getTenantById(tenantId)
    } catch (error) {
      // No tenant to hold a dead letter: the service keeps the delivery, never drops it.
      if (error instanceof RecordNotFoundError) return this.keepUndeliverable(job, 'tenant_not_found')
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
      throw new WebhookDeliveryError((error as Error).message, hook.url, { cause: error })
    }
  }

  /** The last attempt failed: into the tenant's dead-letter list, or (no tenant reached) the undeliverable list. */
  private async deadLetter(job: Job<DeliveryJob>, error: Error): Promise<void> {
    if (!(error instanceof WebhookDeliveryError)) return this.keepUndeliverable(job, error.name)
    const { tenantId, webhookId, deliveryId, event } = job.data
    const tenantContext = await this.root.dependencyManager.resolve(TenantsApi).getTenantAgentContext(tenantId)
    this.stats.deadLettered++
    await deadLetters.put(tenantContext, deliveryId, {
      deliveryId,
      webhookId,
      url: error.url,
      event,
      attempts: job.attemptsMade + 1,
      lastError: error.message,
      failedAt: new Date().toISOString(),
    })
    this.logger.warn('Webhook delivery moved to the dead-letter list', { tenantId, webhookId, deliveryId })
  }

  private async keepUndeliverable(job: Job<DeliveryJob>, lastError: string): Promise<void> {
    const { tenantId, webhookId, deliveryId } = job.data
    await undeliverable.put(this.root, deliveryId, {
      ...job.data,
      attempts: job.attemptsMade + 1,
      lastError,
      failedAt: new Date().toISOString(),
    })
    this.stats.undeliverable++
    this.logger.warn('Webhook delivery kept as undeliverable', { tenantId, webhookId, deliveryId })
  }
}
