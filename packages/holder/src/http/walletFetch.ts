/** How the wallet's HTTP requests wait and retry (issuer, verifier, status lists). */
export interface WalletHttpOptions {
  /** Each request, connect to last byte, must end within this (default 30,000 ms). */
  timeoutMillis?: number
  /**
   * Tries of a GET (metadata, offers, request objects, status lists) that failed in a way a busy
   * or restarting server causes: no connection, no answer in time, 502, 503 or 504 (default 3).
   * Requests with a body are sent once: a retried token or credential request could be redeemed twice.
   */
  getAttempts?: number
  /** Wait before the second try; doubles with each further try, with up to 50 % jitter (default 250 ms). */
  retryBackoffMillis?: number
}

const RETRIED_STATUSES = new Set([502, 503, 504])
const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

/**
 * The `fetch` the wallet's agent uses. Credo gives some requests a fixed 5 s abort (status lists
 * during credential validation, type metadata), which a busy issuer behind a balancer can exceed
 * while the credential is valid; this fetch replaces that signal with `timeoutMillis`, and tries
 * an idempotent GET again when it failed for a reason that passes.
 */
export function createWalletFetch(options: WalletHttpOptions = {}, base: typeof fetch = fetch): typeof fetch {
  const timeoutMillis = options.timeoutMillis ?? 30_000
  const attempts = Math.max(1, options.getAttempts ?? 3)
  const backoffMillis = options.retryBackoffMillis ?? 250
  return async (input, init) => {
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase()
    const tries = method === 'GET' || method === 'HEAD' ? attempts : 1
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= tries
      try {
        const response = await base(input, { ...init, signal: AbortSignal.timeout(timeoutMillis) })
        if (last || !RETRIED_STATUSES.has(response.status)) return response
        await response.body?.cancel()
      } catch (error) {
        if (last) throw error
      }
      await sleep(backoffMillis * 2 ** (attempt - 1) * (1 + Math.random() / 2))
    }
  }
}
