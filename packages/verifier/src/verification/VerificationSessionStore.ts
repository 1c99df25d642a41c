import { type Database, expiryMillis, SessionStore } from '@attesto/storage-service'
import { VERIFICATION_SESSION_TYPE, type VerificationSession } from './VerificationSession.js'

/**
 * The verifier's session rows (`VerificationSession`), keyed by the tenant's agent context
 * correlation id (what the verifier's routes hold), which is also the storage partition. The
 * one place such rows are read: rows of earlier versions, whose `expiresAt` is an ISO string,
 * come out in epoch milliseconds like the issuer's sessions.
 */
export class VerificationSessionStore extends SessionStore<VerificationSession> {
  public constructor(database: Database, schema: string) {
    super(database, schema, VERIFICATION_SESSION_TYPE)
  }

  protected override readValue(stored: VerificationSession): VerificationSession {
    return typeof stored.expiresAt === 'number' ? stored : { ...stored, expiresAt: expiryMillis(stored.expiresAt) }
  }
}
