import { createHash } from 'node:crypto'
import { type Database, SessionStore } from '@attesto/storage-service'
import { CREDENTIAL_STATUS_TYPE, type CredentialStatusRow } from '../status/CredentialStatusStore.js'
import { KEPT_UNTIL_DELETED } from '../status/StatusLists.js'
import { ISSUANCE_SESSION_TYPE, type IssuanceSession } from './IssuanceSession.js'

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('base64url')

/** How long a session row outlives its offer: a deferred credential may be collected this long after. */
const DEFERRED_RETENTION_MILLIS = 30 * 24 * 3600 * 1000

/** The outcome of a token request with a pre-authorised code. */
export type Redemption =
  | { outcome: 'redeemed'; session: IssuanceSession }
  | { outcome: 'wrong_tx_code'; attemptsLeft: number }
  | { outcome: 'unknown' }

/**
 * Issuance sessions, one row each; every state change is one conditional statement, so a code
 * is redeemed once and a credential issued once, whichever instances race.
 */
export class IssuanceSessionStore extends SessionStore<IssuanceSession> {
  public constructor(
    database: Database,
    schema: string,
    private readonly accessTokenTtlSeconds: number,
  ) {
    super(database, schema, ISSUANCE_SESSION_TYPE, (tenantId) => `tenant-${tenantId}`)
  }

  /** The row lives past the offer for as long as its access token (or a deferred collection) may still be used. */
  public rowExpiry(session: IssuanceSession): Date {
    const margin = session.deferred ? DEFERRED_RETENTION_MILLIS : this.accessTokenTtlSeconds * 1000 + 60_000
    return new Date(session.expiresAt + margin)
  }

  public create(tenantId: string, offerId: string, session: IssuanceSession): Promise<boolean> {
    return this.insert(tenantId, offerId, session, this.rowExpiry(session))
  }

  /**
   * Redeems a pre-authorised code in one statement: with the right transaction code (or none
   * needed) the offer moves to `token_issued`; a wrong one is counted, and the count reaching
   * `maxAttempts` makes the offer `failed` (its code dead). An unknown, used, expired or failed
   * code changes nothing.
   */
  public async redeem(
    tenantId: string,
    offerId: string,
    secret: string,
    txCode: string | undefined,
    maxAttempts: number,
  ): Promise<Redemption> {
    const failures = `coalesce((value->>'txCodeFailures')::int, 0)`
    const txCodeOk = `(value->>'txCode' IS NULL OR value->>'txCode' = $5)`
    const session = await this.updateReturning(
      tenantId,
      `value = CASE WHEN ${txCodeOk} THEN value || '{"state":"token_issued"}'::jsonb
         ELSE value || jsonb_build_object('txCodeFailures', ${failures} + 1,
           'state', CASE WHEN ${failures} + 1 >= $6 THEN 'failed' ELSE 'offered' END) END`,
      `value->>'state' = 'offered' AND value->>'codeHash' = $4 AND (value->>'expiresAt')::bigint > $7`,
      [offerId, hashSecret(secret), txCode ?? '', maxAttempts, Date.now()],
    )
    if (!session) return { outcome: 'unknown' }
    if (session.state === 'token_issued') return { outcome: 'redeemed', session }
    return { outcome: 'wrong_tx_code', attemptsLeft: maxAttempts - (session.txCodeFailures ?? 0) }
  }

  /**
   * Marks the credential issued, if it still may be (`from` states, offer not expired); false when
   * another request came first. A revocable credential's status entry is written by the same
   * statement, so an entry exists exactly for the credential that went out.
   */
  public async markIssued(
    tenantId: string,
    offerId: string,
    from: IssuanceSession['state'][],
    statusEntry?: CredentialStatusRow,
  ): Promise<boolean> {
    const issued = await this.updateReturning(
      tenantId,
      `value = (value - 'lastError') || jsonb_build_object('state', 'credential_issued', 'issuedAt', $5::text)`,
      `value->>'state' = ANY($4::text[])`,
      [offerId, from, new Date().toISOString()],
      statusEntry && { recordType: CREDENTIAL_STATUS_TYPE, value: statusEntry, expiresAt: KEPT_UNTIL_DELETED },
    )
    return issued !== null
  }

  /** Records the approved claims of a deferred offer that has none yet; false when it has (approved once). */
  public async approveClaims(tenantId: string, offerId: string, claims: Record<string, unknown>): Promise<boolean> {
    const approved = await this.updateReturning(
      tenantId,
      `value = value || jsonb_build_object('claims', $4::jsonb, 'claimsApprovedAt', $5::text)`,
      `value->>'deferred' = 'true' AND value->'claims' = '{}'::jsonb`,
      [offerId, JSON.stringify(claims), new Date().toISOString()],
    )
    return approved !== null
  }
}
