/** The HTTP status of a node-vault error, if it has one. */
export function vaultStatus(error: unknown): number | undefined {
  const response = (error as { response?: { statusCode?: number } } | null)?.response
  return typeof response?.statusCode === 'number' ? response.statusCode : undefined
}

/**
 * Worth a retry, and a mark against the circuit: no answer at all (connection refused or reset,
 * timeout), throttling (429), or a server-side failure (5xx, including 503 sealed). A 4xx is the
 * request's fault and is not retried.
 */
export function isTransientVaultError(error: unknown): boolean {
  const status = vaultStatus(error)
  if (status !== undefined) return status === 429 || status >= 500
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' || /timeout|socket hang up|network/i.test(String((error as Error)?.message))
}
