import type { RecordPageCursor, RecordPageReturn, SqlParameter } from '@attesto/storage-service'
import type { IssuanceSession } from './IssuanceSession.js'
import type { IssuanceSessionStore } from './IssuanceSessionStore.js'
import { NOTIFIED_STATUS, type OfferStatus } from './offerStatus.js'

export interface OfferListFilters {
  status?: OfferStatus
  issuerId?: string
  credentialConfigurationId?: string
  createdFrom?: Date
  createdBefore?: Date
}

/** The states an offer may be cancelled from: nothing was issued yet. */
const OPEN_STATES: IssuanceSession['state'][] = ['offered', 'token_issued', 'credential_pending']

/** SQL for "the offer's public status is `status`" (see `offerStatus`), at `nowMillis`. */
function statusCondition(status: OfferStatus, parameter: SqlParameter, nowMillis: number): string {
  const live = () => `(value->>'expiresAt')::bigint > ${parameter(nowMillis)}`
  switch (status) {
    case 'offered':
    case 'token_issued':
      return `value->>'state' = ${parameter(status)} AND ${live()}`
    case 'expired':
      return `value->>'state' IN ('offered', 'token_issued') AND NOT ${live()}`
    case 'credential_issued':
      return `value->>'state' = 'credential_issued' AND value->'notification' IS NULL`
    case 'credential_accepted':
    case 'credential_failed':
    case 'credential_deleted': {
      const event = Object.entries(NOTIFIED_STATUS).find(([, shown]) => shown === status)?.[0]
      return `value->>'state' = 'credential_issued' AND value->'notification'->>'event' = ${parameter(event)}`
    }
    default:
      return `value->>'state' = ${parameter(status)}`
  }
}

/**
 * The management side of offers, on the issuance-session rows: list a tenant's offers page by
 * page with filters (keyset pagination in SQL), cancel one unredeemed offer, and cancel every
 * open offer of an issuer or configuration that is withdrawn. Every change is one conditional
 * UPDATE, so a cancellation and a concurrent redemption never both succeed.
 */
export class OfferManagement {
  public constructor(private readonly sessions: IssuanceSessionStore) {}

  public list(
    tenantId: string,
    filters: OfferListFilters,
    limit: number,
    after?: RecordPageCursor,
  ): Promise<RecordPageReturn<IssuanceSession>> {
    const now = Date.now()
    const { createdFrom, createdBefore } = filters
    return this.sessions.page(tenantId, {
      limit,
      after,
      createdFrom,
      createdBefore,
      where: (parameter) => [
        ...(filters.status ? [statusCondition(filters.status, parameter, now)] : []),
        ...(filters.issuerId ? [`value->>'issuerId' = ${parameter(filters.issuerId)}`] : []),
        ...(filters.credentialConfigurationId
          ? [`value->>'configurationId' = ${parameter(filters.credentialConfigurationId)}`]
          : []),
      ],
    })
  }

  public find(tenantId: string, offerId: string): Promise<IssuanceSession | null> {
    return this.sessions.find(tenantId, offerId)
  }

  /**
   * Cancels an offer whose code was not redeemed yet and has not expired: one conditional
   * UPDATE (`offered` → `cancelled`), the same row the token endpoint's redemption changes from
   * `offered`. Whichever statement PostgreSQL applies first wins; the other finds the row no
   * longer `offered` and changes nothing. Null when the offer is not (or no longer) cancellable.
   */
  public cancel(tenantId: string, offerId: string): Promise<IssuanceSession | null> {
    return this.sessions.updateReturning(
      tenantId,
      `value = value || jsonb_build_object('state', 'cancelled', 'cancelledAt', $4::text)`,
      `value->>'state' = 'offered' AND (value->>'expiresAt')::bigint > $5`,
      [offerId, new Date().toISOString(), Date.now()],
    )
  }

  /**
   * Cancels every offer of `issuerId` (of one configuration, when given) that has not issued its
   * credential yet, redeemed or not: their codes, tokens and deferred transactions are dead.
   * Answers how many were cancelled.
   */
  public cancelOpen(tenantId: string, issuerId: string, configurationId?: string): Promise<number> {
    return this.sessions.transitionAll(
      tenantId,
      { from: OPEN_STATES, match: { issuerId, ...(configurationId !== undefined ? { configurationId } : {}) } },
      { state: 'cancelled', cancelledAt: new Date().toISOString() },
    )
  }
}
