import {
  type Database,
  type RecordPageCursor,
  type RecordPageReturn,
  SESSION_EXPIRED,
  SESSION_NOT_EXPIRED,
} from '@attesto/storage-service'
import type { VerificationSession } from './VerificationSession.js'
import { VerificationSessionStore } from './VerificationSessionStore.js'

export type PresentationRequestStatus = 'pending' | 'expired' | 'verified' | 'rejected' | 'cancelled'

export interface PresentationRequestFilters {
  status?: PresentationRequestStatus
  verifierId?: string
  createdFrom?: Date
  createdBefore?: Date
}

/** The change that cancels a request. */
const cancelled = (): Partial<VerificationSession> => ({ state: 'cancelled', cancelledAt: new Date().toISOString() })

/** The public status of a request: its state, or `expired` for a pending one past its time. */
export function presentationRequestStatus(session: VerificationSession): PresentationRequestStatus {
  return session.state === 'pending' && Date.now() >= session.expiresAt ? 'expired' : session.state
}

/**
 * The management side of presentation requests, on their session rows: list a tenant's
 * requests page by page with filters (keyset pagination in SQL), cancel an open one, and cancel
 * every open request of a verifier that is deleted. Each change is one conditional UPDATE on
 * the same condition the response endpoint decides on (`pending`, not expired), so a
 * cancellation and a wallet's answer never both succeed. Requests are named by the tenant's agent
 * context correlation id (`contextCorrelationId`) and their id.
 */
export class PresentationRequestManagement {
  private readonly store: VerificationSessionStore

  public constructor(database: Database, schema: string) {
    this.store = new VerificationSessionStore(database, schema)
  }

  public list(
    contextCorrelationId: string,
    filters: PresentationRequestFilters,
    limit: number,
    after?: RecordPageCursor,
  ): Promise<RecordPageReturn<VerificationSession>> {
    const { createdFrom, createdBefore } = filters
    return this.store.page(contextCorrelationId, {
      limit,
      after,
      createdFrom,
      createdBefore,
      where: (parameter) => [
        ...(filters.status === 'pending' ? [`value->>'state' = 'pending' AND ${SESSION_NOT_EXPIRED}`] : []),
        ...(filters.status === 'expired' ? [`value->>'state' = 'pending' AND ${SESSION_EXPIRED}`] : []),
        ...(filters.status && filters.status !== 'pending' && filters.status !== 'expired'
          ? [`value->>'state' = ${parameter(filters.status)}`]
          : []),
        ...(filters.verifierId ? [`value->>'verifierId' = ${parameter(filters.verifierId)}`] : []),
      ],
    })
  }

  public find(contextCorrelationId: string, requestId: string): Promise<VerificationSession | null> {
    return this.store.find(contextCorrelationId, requestId)
  }

  /** Cancels an open request; null when it is not open (decided, expired, cancelled or unknown). */
  public cancel(contextCorrelationId: string, requestId: string): Promise<VerificationSession | null> {
    return this.store.transition(contextCorrelationId, requestId, ['pending'], cancelled(), {}, { notExpired: true })
  }

  /** Cancels every open request of a verifier (its rows are tagged with it: the tags index finds them); answers how many. */
  public cancelOpen(contextCorrelationId: string, verifierId: string): Promise<number> {
    return this.store.transitionAll(
      contextCorrelationId,
      { from: ['pending'], tags: { verifierId }, notExpired: true },
      cancelled(),
    )
  }
}
