/** The AWS error name (`NotFoundException`, `ThrottlingException`, …), if any. */
export function awsErrorName(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | null)?.name
  return typeof name === 'string' ? name : undefined
}

const TRANSIENT = new Set([
  'ThrottlingException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
])

/**
 * Worth a retry with backoff, and a mark against the circuit: throttling (the account's request
 * quota), internal errors, timeouts, and connection failures. A validation or not-found error is
 * the request's fault and is not retried.
 */
export function isTransientAwsError(error: unknown): boolean {
  const name = awsErrorName(error)
  if (name && TRANSIENT.has(name)) return true
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode
  if (typeof status === 'number') return status >= 500 || status === 429
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^E[A-Z]+/.test(code)
}

/** A key that does not exist, or is pending deletion (unusable for good). */
export function isGoneAwsKey(error: unknown): boolean {
  const name = awsErrorName(error)
  return name === 'NotFoundException' || name === 'KMSInvalidStateException'
}
