import { type Database, SESSION_NOT_EXPIRED } from '@attesto/storage-service'
import {
  MAX_RECORDED_ATTEMPTS,
  RESULT_RETENTION_SECONDS,
  type RefusedAttempt,
  type VerificationSession,
} from './VerificationSession.js'
import { VerificationSessionStore } from './VerificationSessionStore.js'
import { TRUSTED_ISSUER_RECORD_PREFIX, type TrustAnchor, trustAnchors } from './verifierDocuments.js'

/** Documents (trusted issuers, trust anchors) are Credo generic records in the same partition. */
const DOCUMENT_RECORD_TYPE = 'GenericRecord'

/**
 * The verification-session rows of the verifier, one SQL statement per operation: create
 * (INSERT), read (SELECT), read with the trust of the presented issuers (one SELECT), record a
 * refused attempt (one conditional UPDATE) and decide (one conditional UPDATE, pending → verified
 * or rejected, only while the request is open). Each takes the tenant's agent context correlation
 * id (`contextCorrelationId`), as its routes hold it.
 */
export class VerificationSessions {
  private readonly store: VerificationSessionStore

  public constructor(database: Database, schema: string) {
    this.store = new VerificationSessionStore(database, schema)
  }

  /** Stores a new request; its row outlives the request by the result retention. */
  public create(contextCorrelationId: string, requestId: string, session: VerificationSession): Promise<boolean> {
    const rowExpiresAt = new Date(session.expiresAt + RESULT_RETENTION_SECONDS * 1000)
    return this.store.insert(contextCorrelationId, requestId, session, rowExpiresAt, { verifierId: session.verifierId })
  }

  public find(contextCorrelationId: string, requestId: string): Promise<VerificationSession | null> {
    return this.store.find(contextCorrelationId, requestId)
  }

  /**
   * The request, which of `issuerDids` the tenant trusts, and (when `withAnchors`, for credentials
   * signed under X.509 chains) the tenant's trust anchors: one statement.
   */
  public async findWithTrust(
    contextCorrelationId: string,
    requestId: string,
    issuerDids: string[],
    withAnchors = false,
  ): Promise<{ session: VerificationSession; trusted: Set<string>; anchors: TrustAnchor[] } | null> {
    const ids = issuerDids.map((did) => `${TRUSTED_ISSUER_RECORD_PREFIX}${did}`)
    const found = await this.store.findWith(contextCorrelationId, requestId, [
      { recordType: DOCUMENT_RECORD_TYPE, ids, select: 'id' },
      ...(withAnchors
        ? [{ recordType: DOCUMENT_RECORD_TYPE, tags: { kind: trustAnchors.kind }, select: { field: 'content' } }]
        : []),
    ])
    if (!found) return null
    const [trustedIds, anchors] = found.related as [string[] | null, TrustAnchor[] | null | undefined]
    const trusted = new Set((trustedIds ?? []).map((recordId) => recordId.slice(TRUSTED_ISSUER_RECORD_PREFIX.length)))
    return { session: found.value, trusted, anchors: anchors ?? [] }
  }

  /** Counts a refused attempt and keeps the first few, while the request is open; false otherwise. */
  public async recordRefusal(
    contextCorrelationId: string,
    requestId: string,
    attempt: RefusedAttempt,
  ): Promise<boolean> {
    const updated = await this.store.updateReturning(
      contextCorrelationId,
      `value = value || jsonb_build_object(
         'refusedAttemptCount', COALESCE((value->>'refusedAttemptCount')::int, 0) + 1,
         'refusedAttempts', CASE WHEN jsonb_array_length(COALESCE(value->'refusedAttempts', '[]'::jsonb)) >= $5
           THEN COALESCE(value->'refusedAttempts', '[]'::jsonb)
           ELSE COALESCE(value->'refusedAttempts', '[]'::jsonb) || $4::jsonb END)`,
      `value->>'state' = 'pending' AND ${SESSION_NOT_EXPIRED}`,
      [requestId, JSON.stringify([attempt]), MAX_RECORDED_ATTEMPTS],
    )
    return updated !== null
  }

  /** Decides an open request, once; null when it was decided meanwhile or has expired. */
  public decide(
    contextCorrelationId: string,
    requestId: string,
    outcome: Pick<
      VerificationSession,
      'state' | 'decidedAt' | 'reason' | 'credentials' | 'responseDigest' | 'sameDevice'
    >,
  ): Promise<VerificationSession | null> {
    return this.store.transition(contextCorrelationId, requestId, ['pending'], outcome, {}, { notExpired: true })
  }
}
