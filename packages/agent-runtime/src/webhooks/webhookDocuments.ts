import { TenantDocumentStore } from '../records/TenantDocumentStore.js'

/** What a webhook receives: one event. */
export interface WebhookEvent {
  /** Stable per event: the same event is delivered once per webhook, whoever emits it. */
  id: string
  type: string
  createdAt: string
  data: Record<string, unknown>
}

export interface WebhookRegistration {
  webhookId: string
  url: string
  events: string[]
  /** The HMAC key of the deliveries' signatures; shown once, at registration. */
  secret: string
  createdAt: string
}

/** A delivery that failed every attempt, kept for inspection and redelivery. */
export interface DeadLetter {
  deliveryId: string
  webhookId: string
  url: string
  event: WebhookEvent
  attempts: number
  lastError: string
  failedAt: string
}

export const webhooks = new TenantDocumentStore<WebhookRegistration>('webhook', 'webhook_not_found', 'webhook')
export const deadLetters = new TenantDocumentStore<DeadLetter>(
  'webhook-dead-letter',
  'dead_letter_not_found',
  'dead letter',
)

/** An event that could not be queued (Redis unreachable), kept in storage until it can be. */
export interface OutboxEntry {
  deliveryId: string
  tenantId: string
  webhookId: string
  event: WebhookEvent
  /** The request that caused the event (sent as `X-Request-Id`). */
  requestId?: string
}

/** Kept in the service's root context, so that one sweep finds every tenant's entries. */
export const webhookOutbox = new TenantDocumentStore<OutboxEntry>('webhook-outbox', 'outbox_entry_not_found', 'entry')

/**
 * A delivery whose tenant could not be found (deleted, or a job from another deployment sharing
 * the queue): kept in the service's root context, for the operator, instead of being dropped.
 */
export interface UndeliverableEntry extends OutboxEntry {
  attempts: number
  lastError: string
  failedAt: string
}

export const undeliverable = new TenantDocumentStore<UndeliverableEntry>(
  'webhook-undeliverable',
  'undeliverable_not_found',
  'undeliverable delivery',
)
