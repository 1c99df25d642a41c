import { createHash } from 'node:crypto'
import { contextCorrelationIdOf } from '@attesto/agent-runtime'
import { type Database, SessionStore } from '@attesto/storage-service'
import { CREDENTIAL_STATUS_TYPE, type CredentialStatusRow } from '../status/CredentialStatusStore.js'
import { KEPT_UNTIL_DELETED } from '../status/StatusLists.js'
import { ISSUANCE_SESSION_TYPE, type IssuanceSession, type WalletNotification } from './IssuanceSession.js'

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('base64url')

/** How long a session row outlives its offer: a deferred credential may be collected this long after. */
const DEFERRED_RETENTION_MILLIS = 30 * 24 * 3600 * 1000

/** The outcome of a token request with a pre-authorised code. */
export type Redemption =
  | { outcome: 'redeemed'; session: IssuanceSession }
  | { outcome: 'wrong_tx_code'; attemptsLeft: number }
  /** The code is right, but the offer needs a transaction code and none was sent (or the reverse). */
  | { outcome: 'tx_code_required' }
  | { outcome: 'tx_code_unexpected' }
  | { outcome: 'unknown' }

/** What an issuance records in its offer's row, in the statement that marks it issued. */
export interface Issuance {
  credentialCount: number
  notificationId: string
  /** The status entry of a revocable credential (of every credential of a batch). */
  statusEntry?: CredentialStatusRow
}

/** What a wallet's notification did: recorded (the first of its kind), nothing new, or names no issuance of the token. */
export type NotificationOutcome = 'recorded' | 'unchanged' | 'unknown'

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
    super(database, schema, ISSUANCE_SESSION_TYPE, contextCorrelationIdOf)
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
   * code changes nothing; nor does a transaction code missing where the offer has one, or sent to
   * an offer without one (told apart by a read, on that refused path only).
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
      `value->>'state' = 'offered' AND value->>'codeHash' = $4 AND (value->>'expiresAt')::bigint > $7
         AND (value->>'txCode' IS NULL) = ($5::text = '')`,
      [offerId, hashSecret(secret), txCode ?? '', maxAttempts, Date.now()],
    )
    if (!session) return this.refusedRedemption(tenantId, offerId, secret, txCode)
    if (session.state === 'token_issued') return { outcome: 'redeemed', session }
    return { outcome: 'wrong_tx_code', attemptsLeft: maxAttempts - (session.txCodeFailures ?? 0) }
  }

  /** Why a code with the right secret was not redeemed: a transaction code where none fits, or not at all. */
  private async refusedRedemption(
    tenantId: string,
    offerId: string,
    secret: string,
    txCode: string | undefined,
  ): Promise<Redemption> {
    const session = await this.find(tenantId, offerId)
    if (session?.state !== 'offered' || session.codeHash !== hashSecret(secret) || session.expiresAt <= Date.now()) {
      return { outcome: 'unknown' }
    }
    if (session.txCode !== undefined && txCode === undefined) return { outcome: 'tx_code_required' }
    if (session.txCode === undefined && txCode !== undefined) return { outcome: 'tx_code_unexpected' }
    return { outcome: 'unknown' }
  }

  /**
   * Marks the credentials issued, if they still may be (`from` states, offer not expired); false
   * when another request came first. The whole batch is this one statement: a revocable
   * credential's status entry (every index of a batch) is written with it, so an entry exists
   * exactly for the credentials that went out.
   */
  public async markIssued(
    tenantId: string,
    offerId: string,
    from: IssuanceSession['state'][],
    issuance: Issuance,
  ): Promise<boolean> {
    const { statusEntry } = issuance
    const issued = await this.updateReturning(
      tenantId,
      `value = (value - 'lastError') || jsonb_build_object('state', 'credential_issued', 'issuedAt', $5::text,
         'credentialCount', $6::int, 'notificationId', $7::text)`,
      `value->>'state' = ANY($4::text[])`,
      [offerId, from, new Date().toISOString(), issuance.credentialCount, issuance.notificationId],
      statusEntry && { recordType: CREDENTIAL_STATUS_TYPE, value: statusEntry, expiresAt: KEPT_UNTIL_DELETED },
    )
    return issued !== null
  }

  /**
   * Records a wallet's notification about an issuance (`notificationId` of the offer's issued
   * credentials) in one conditional statement: the first event, or `credential_deleted` after
   * `credential_accepted`. A repeated or later event changes nothing (`unchanged`), so a retried
   * notification is reported once.
   */
  public async recordNotification(
    tenantId: string,
    offerId: string,
    notificationId: string,
    notification: WalletNotification,
  ): Promise<NotificationOutcome> {
    const recorded = await this.updateReturning(
      tenantId,
      `value = value || jsonb_build_object('notification', $5::jsonb)`,
      `value->>'state' = 'credential_issued' AND value->>'notificationId' = $4
         AND (value->'notification' IS NULL
           OR (value->'notification'->>'event' = 'credential_accepted' AND $6::text = 'credential_deleted'))`,
      [offerId, notificationId, JSON.stringify(notification), notification.event],
    )
    if (recorded) return 'recorded'
    const session = await this.find(tenantId, offerId)
    return session?.state === 'credential_issued' && session.notificationId === notificationId ? 'unchanged' : 'unknown'
  }

  /**
   * Binds an authorization code offer to the login that presented its `issuer_state`, once: a
   * live `offered` offer of that grant, not bound yet, whose `issuer_state` secret matches (and
   * whose named subject, if any, logged in) becomes `token_issued` for that authorization
   * session. Null when it is not (any more) to be had.
   */
  public bindLogin(
    tenantId: string,
    offerId: string,
    issuerStateSecretHash: string,
    login: { authorizationSessionId: string; subject: string },
  ): Promise<IssuanceSession | null> {
    return this.updateReturning(
      tenantId,
      `value = value || jsonb_build_object('state', 'token_issued', 'authorizationSessionId', $5::text,
         'loggedInSubject', $6::text)`,
      `value->>'state' = 'offered' AND value->>'grant' = 'authorization_code' AND value->>'codeHash' = $4
         AND value->'authorizationSessionId' IS NULL AND (value->>'expiresAt')::bigint > $7
         AND (value->>'subject' IS NULL OR value->>'subject' = $6)`,
      [offerId, issuerStateSecretHash, login.authorizationSessionId, login.subject, Date.now()],
    )
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
