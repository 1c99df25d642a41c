import {
  type Database,
  type RecordPageCursor,
  type RecordPageReturn,
  type RecordPages,
  SessionStore,
} from '@attesto/storage-service'
import { VERIFICATION_SESSION_TYPE, type VerificationSession } from './VerificationSession.js'

export type PresentationRequestStatus = 'pending' | 'expired' | 'verified' | 'rejected' | 'cancelled'

export interface PresentationRequestFilters {
  status?: PresentationRequestStatus
  verifierId?: string
  createdFrom?: Date
  createdBefore?: Date
}

const OPEN = `value->>'state' = 'pending' AND (value->>'expiresAt')::timestamptz > now()`

/** The public status of a request: its state, or `expired` for a pending one past its time. */
export function presentationRequestStatus(session: VerificationSession): PresentationRequestStatus {
  return session.state === 'pending' && Date.now() >= Date.parse(session.expiresAt) ? 'expired' : session.state
}

/**
 * The management side of presentation requests, on their session rows: list a tenant's
 * requests page by page with filters (keyset pagination in SQL), cancel an open one, and cancel
 * every open request of a verifier that is deleted. Each change is one conditional UPDATE on
 * the same condition the response endpoint decides on (`pending`, not expired), so a
 * cancellation and a wallet's answer never both succeed. `tenantId` is the context correlation id.
 */
export class PresentationRequestManagement {
  private readonly store: SessionStore<VerificationSession>
  private readonly table: string

  public constructor(
    private readonly database: Database,
    schema: string,
    private readonly pages: RecordPages,
  ) {
    this.store = new SessionStore(database, schema, VERIFICATION_SESSION_TYPE)
    this.table = `"${schema}".tenant_records`
  }

  public list(
    tenantId: string,
    filters: PresentationRequestFilters,
    limit: number,
    after?: RecordPageCursor,
  ): Promise<RecordPageReturn<VerificationSession>> {
    return this.pages.page<VerificationSession>(tenantId, {
      recordType: VERIFICATION_SESSION_TYPE,
      limit,
      ...(after ? { after } : {}),
      ...(filters.createdFrom ? { createdFrom: filters.createdFrom } : {}),
      ...(filters.createdBefore ? { createdBefore: filters.createdBefore } : {}),
      where: (parameter) => [
        ...(filters.status === 'pending' ? [OPEN] : []),
        ...(filters.status === 'expired'
          ? [`value->>'state' = 'pending' AND (value->>'expiresAt')::timestamptz <= now()`]
          : []),
        ...(filters.status && filters.status !== 'pending' && filters.status !== 'expired'
          ? [`value->>'state' = ${parameter(filters.status)}`]
          : []),
        ...(filters.verifierId ? [`value->>'verifierId' = ${parameter(filters.verifierId)}`] : []),
      ],
    })
  }

  public find(tenantId: string, requestId: string): Promise<VerificationSession | null> {
    return this.store.find(tenantId, requestId)
  }

  /** Cancels an open request; null when it is not open (decided, expired, cancelled or unknown). */
  public cancel(tenantId: string, requestId: string): Promise<VerificationSession | null> {
    return this.store.updateReturning(
      tenantId,
      `value = value || jsonb_build_object('state', 'cancelled', 'cancelledAt', $4::text)`,
      OPEN,
      [requestId, new Date().toISOString()],
    )
  }

  /** Cancels every open request of a verifier (its rows are tagged with it: the tags index finds them); answers how many. */
  public async cancelOpen(tenantId: string, verifierId: string): Promise<number> {
    const { rowCount } = await this.database.withTenant(tenantId, (session) =>
      session.query(
        `UPDATE ${this.table}
         SET value = value || jsonb_build_object('state', 'cancelled', 'cancelledAt', $3::text), updated_at = now()
         WHERE tenant_id = $1 AND record_type = $2 AND expires_at > now() AND tags @> $4::jsonb AND ${OPEN}`,
        [tenantId, VERIFICATION_SESSION_TYPE, new Date().toISOString(), JSON.stringify({ verifierId })],
      ),
    )
    return rowCount
  }
}
