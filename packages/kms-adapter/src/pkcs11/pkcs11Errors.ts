/** The PKCS#11 return value's name (`CKR_PIN_INCORRECT`, …) of a pkcs11js error, if it is one. */
export function pkcs11ErrorName(error: unknown): string | undefined {
  const message = (error as { message?: unknown } | null)?.message
  return typeof message === 'string' && /^CKR_[A-Z0-9_]+$/.test(message) ? message : undefined
}

/** The session cannot be used again: it is closed, or the token behind it went away. */
const BROKEN_SESSION = new Set([
  'CKR_SESSION_CLOSED',
  'CKR_SESSION_HANDLE_INVALID',
  'CKR_DEVICE_REMOVED',
  'CKR_DEVICE_ERROR',
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_TOKEN_NOT_RECOGNIZED',
])

const TRANSIENT = new Set([
  ...BROKEN_SESSION,
  'CKR_DEVICE_MEMORY',
  'CKR_HOST_MEMORY',
  'CKR_FUNCTION_FAILED',
  'CKR_GENERAL_ERROR',
  'CKR_SESSION_COUNT',
  'CKR_USER_NOT_LOGGED_IN',
])

/** A session to close and replace rather than return to the pool. */
export function isBrokenSession(error: unknown): boolean {
  return BROKEN_SESSION.has(pkcs11ErrorName(error) ?? '')
}

/**
 * Worth a retry with backoff, and a mark against the circuit: a session or token that went away
 * (a network HSM restarting), the device out of memory or failing, and timeouts. A refusal of the
 * request itself (bad template, mechanism invalid, key handle invalid) is not retried.
 */
export function isTransientPkcs11Error(error: unknown): boolean {
  if ((error as { name?: unknown } | null)?.name === 'TimeoutError') return true
  return TRANSIENT.has(pkcs11ErrorName(error) ?? '')
}

/** The object behind a cached handle is gone (deleted, maybe by another instance). */
export function isStaleHandle(error: unknown): boolean {
  const name = pkcs11ErrorName(error)
  return name === 'CKR_OBJECT_HANDLE_INVALID' || name === 'CKR_KEY_HANDLE_INVALID'
}
