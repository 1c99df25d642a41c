import { type Database, SessionStore } from '@attesto/storage-service'
import {
  MAX_RECORDED_ATTEMPTS,
  RESULT_RETENTION_SECONDS,
  type RefusedAttempt,
  VERIFICATION_SESSION_TYPE,
  type VerificationSession,
} from './VerificationSession.js'
import { TRUSTED_ISSUER_RECORD_PREFIX, type TrustAnchor, trustAnchors } from './verifierDocuments.js'

const STILL_OPEN = `value->>'state' = 'pending' AND (value->>'expiresAt')::timestamptz > now()`

/**
 * The verification-session rows of the verifier, one SQL statement per operation: create
 * (INSERT), read (SELECT), read with the trust of the presented issuers (one SELECT), record a
 * refused attempt (one conditional UPDATE) and decide (one conditional UPDATE, pending → verified
 * or rejected, only while the request is open). `tenantId` is the tenant's context correlation id.
 */
export class VerificationSessions {
  private readonly store: SessionStore<VerificationSession>
  private readonly table: string

  public constructor(
    private readonly database: Database,
    schema: string,
  ) {
    this.store = new SessionStore(database, schema, VERIFICATION_SESSION_TYPE)
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`Invalid schema name '${schema}'`)
    this.table = `"${schema}".tenant_records`
  }

  /** Stores a new request; its row outlives the request by the result retention. */
  public create(tenantId: string, id: string, session: VerificationSession): Promise<boolean> {
    const rowExpiresAt = new Date(Date.parse(session.expiresAt) + RESULT_RETENTION_SECONDS * 1000)
    return this.store.insert(tenantId, id, session, rowExpiresAt, { verifierId: session.verifierId })
  }

  public find(tenantId: string, id: string): Promise<VerificationSession | null> {
    return this.store.find(tenantId, id)
  }

  /** The session, and which of `issuerDids` the tenant trusts, in one statement. */
  /**
   * The request, which of `issuerDids` the tenant trusts, and (when `withAnchors`, for credentials
   * signed under X.509 chains) the tenant's trust anchors: one statement.
   */
  public async findWithTrust(
    tenantId: string,
    id: string,
    issuerDids: string[],
    withAnchors = false,
  ): Promise<{ session: VerificationSession; trusted: Set<string>; anchors: TrustAnchor[] } | null> {
    const trustedIds = issuerDids.map((did) => `${TRUSTED_ISSUER_RECORD_PREFIX}${did}`)
    const anchors = withAnchors
      ? `(SELECT array_agg(a.value->'content') FROM ${this.table} a
            WHERE a.tenant_id = $1 AND a.record_type = 'GenericRecord' AND a.tags @> '{"kind":"${trustAnchors.kind}"}'
              AND (a.expires_at IS NULL OR a.expires_at > now()))`
      : 'NULL'
    const { rows } = await this.database.withTenant(tenantId, (sql) =>
      sql.query<{ value: VerificationSession; trusted: string[] | null; anchors: TrustAnchor[] | null }>(
        `SELECT value, (SELECT array_agg(t.id) FROM ${this.table} t
            WHERE t.tenant_id = $1 AND t.record_type = 'GenericRecord' AND t.id = ANY($4::text[])
              AND (t.expires_at IS NULL OR t.expires_at > now())) AS trusted, ${anchors} AS anchors
         FROM ${this.table}
         WHERE tenant_id = $1 AND record_type = $2 AND id = $3 AND (expires_at IS NULL OR expires_at > now())`,
        [tenantId, VERIFICATION_SESSION_TYPE, id, trustedIds],
      ),
    )
    const row = rows[0]
    if (!row) return null
    const trusted = new Set((row.trusted ?? []).map((recordId) => recordId.slice(TRUSTED_ISSUER_RECORD_PREFIX.length)))
    return { session: row.value, trusted, anchors: row.anchors ?? [] }
  }

  /** Counts a refused attempt and keeps the first few, while the request is open; false otherwise. */
  public async recordRefusal(tenantId: string, id: string, attempt: RefusedAttempt): Promise<boolean> {
    const updated = await this.store.updateReturning(
      tenantId,
      `value = value || jsonb_build_object(
         'refusedAttemptCount', COALESCE((value->>'refusedAttemptCount')::int, 0) + 1,
         'refusedAttempts', CASE WHEN jsonb_array_length(COALESCE(value->'refusedAttempts', '[]'::jsonb)) >= $5
           THEN COALESCE(value->'refusedAttempts', '[]'::jsonb)
           ELSE COALESCE(value->'refusedAttempts', '[]'::jsonb) || $4::jsonb END)`,
      STILL_OPEN,
      [id, JSON.stringify([attempt]), MAX_RECORDED_ATTEMPTS],
    )
    return updated !== null
  }

  /** Decides an open request, once; null when it was decided meanwhile or has expired. */
  public decide(
    tenantId: string,
    id: string,
    outcome: Pick<
      VerificationSession,
      'state' | 'decidedAt' | 'reason' | 'credentials' | 'responseDigest' | 'sameDevice'
    >,
  ): Promise<VerificationSession | null> {
    return this.store.updateReturning(tenantId, `value = value || $4::jsonb`, STILL_OPEN, [id, JSON.stringify(outcome)])
  }
}
