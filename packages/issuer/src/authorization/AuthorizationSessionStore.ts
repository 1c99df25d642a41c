import { contextCorrelationIdOf } from '@attesto/agent-runtime'
import { type Database, SessionStore } from '@attesto/storage-service'
import { hashSecret } from '../issuance/IssuanceSessionStore.js'
import { AUTHORIZATION_SESSION_TYPE, type AuthorizationSession } from './AuthorizationSession.js'

/** How long a row outlives its current step's deadline, so a late request is told why (not "unknown"). */
const ROW_MARGIN_MILLIS = 60_000

/** What the wallet presents with an authorization code at the token endpoint. */
export interface CodeRedemption {
  secret: string
  clientId: string
  redirectUri: string
  /** S256 of the wallet's `code_verifier` (RFC 7636 §4.6). */
  codeChallenge: string
  /** The DPoP key the token request proved, if any: a code bound at PAR redeems only with it. */
  dpopJkt?: string | undefined
}

/**
 * Authorization sessions, one row each, expiring through the storage TTL. Each step is one
 * conditional statement `from` the state it may leave, so it happens once across instances.
 */
export class AuthorizationSessionStore extends SessionStore<AuthorizationSession> {
  public constructor(database: Database, schema: string) {
    super(database, schema, AUTHORIZATION_SESSION_TYPE, contextCorrelationIdOf)
  }

  public create(tenantId: string, sessionId: string, session: AuthorizationSession): Promise<boolean> {
    return this.insert(tenantId, sessionId, session, new Date(session.expiresAt + ROW_MARGIN_MILLIS))
  }

  /**
   * Moves the session from `from` to the patch (with a new deadline, which the row's expiry
   * follows), if its current step is still live and `match` holds; null otherwise.
   */
  public step(
    tenantId: string,
    sessionId: string,
    from: AuthorizationSession['state'],
    patch: Partial<AuthorizationSession> & { expiresAt: number },
    match: Record<string, unknown> = {},
  ): Promise<AuthorizationSession | null> {
    return this.updateReturning(
      tenantId,
      `value = value || $4::jsonb, expires_at = $8`,
      `value->>'state' = $5 AND (value->>'expiresAt')::bigint > $6 AND value @> $7::jsonb`,
      [
        sessionId,
        JSON.stringify(patch),
        from,
        Date.now(),
        JSON.stringify(match),
        new Date(patch.expiresAt + ROW_MARGIN_MILLIS),
      ],
    )
  }

  /**
   * Redeems an authorization code in one statement: only a live code (`code_issued`, within its
   * 60 s) whose secret, client, redirect URI and PKCE challenge all match becomes `redeemed`.
   * Anything else changes nothing, so a wrong verifier does not burn the code.
   */
  public redeemCode(tenantId: string, sessionId: string, code: CodeRedemption): Promise<AuthorizationSession | null> {
    return this.updateReturning(
      tenantId,
      `value = value || '{"state":"redeemed"}'::jsonb`,
      `value->>'state' = 'code_issued' AND (value->>'expiresAt')::bigint > $4 AND value->>'codeHash' = $5
         AND value->>'clientId' = $6 AND value->>'redirectUri' = $7 AND value->>'codeChallenge' = $8
         AND coalesce(value->>'dpopJkt', $9) = $9`,
      [
        sessionId,
        Date.now(),
        hashSecret(code.secret),
        code.clientId,
        code.redirectUri,
        code.codeChallenge,
        code.dpopJkt ?? '',
      ],
    )
  }
}
