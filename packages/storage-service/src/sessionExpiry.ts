/**
 * A session's `expiresAt` (when its protocol step ends, not when its row goes: `expires_at`) is
 * a number of milliseconds since 1970. Rows of earlier versions may hold it as an ISO 8601
 * string instead; both are read.
 */
export type StoredExpiry = number | string

/** The expiry in epoch milliseconds, from either stored shape. */
export function expiryMillis(stored: StoredExpiry): number {
  return typeof stored === 'string' ? Date.parse(stored) : stored
}

/** SQL: the session's `expiresAt` as a `timestamptz`, from either stored shape. */
const EXPIRY = `(CASE WHEN jsonb_typeof(value->'expiresAt') = 'string' THEN (value->>'expiresAt')::timestamptz
  ELSE to_timestamp((value->>'expiresAt')::double precision / 1000) END)`

/** SQL: the session's time has not run out (the database's clock). */
export const SESSION_NOT_EXPIRED = `${EXPIRY} > now()`

/** SQL: the session's time has run out (the database's clock). */
export const SESSION_EXPIRED = `${EXPIRY} <= now()`
