import { parseEnvironment } from '@attesto/agent-runtime'
import { z } from 'zod'

const schema = z.object({
  STATUS_LIST_FETCH_TIMEOUT_MILLIS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  STATUS_LIST_FETCH_ATTEMPTS: z.coerce.number().int().min(1).max(5).default(2),
  STATUS_LIST_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(16 * 1024 * 1024)
    .default(1024 * 1024),
  STATUS_LIST_MAX_CACHE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(3_600),
  STATUS_UNAVAILABLE_POLICY: z.enum(['reject', 'accept']).default('reject'),
  STATUS_LIST_ALLOW_INSECURE: z.enum(['true', 'false']).default('false'),
})

/** The variables this module reads (checked against the deployment manifests). */
export const STATUS_CHECK_ENVIRONMENT_VARIABLES: readonly string[] = Object.keys(schema.shape)

/** How the verifier checks credential statuses (docs/REVOCATION.md); every value has a default. */
export interface StatusCheckConfig {
  /** Each try of a status list token's fetch must end within this. */
  fetchTimeoutMillis: number
  /** Tries of a fetch that failed in a way that passes (no connection, timeout, 502/503/504). */
  fetchAttempts: number
  maxBytes: number
  /** A token is cached for its `ttl` (bounded by its `exp`), and never longer than this. */
  maxCacheSeconds: number
  /**
   * When a status list cannot be fetched: `reject` (fail closed, `status_unavailable`) or
   * `accept` with the credential flagged. A presentation request may choose for itself.
   */
  unavailablePolicy: 'reject' | 'accept'
  /**
   * Fetch status lists over http and from loopback and private-network addresses: development,
   * tests and demo networks only (a status URI is chosen by the credential's issuer: SSRF).
   */
  allowInsecure: boolean
}

export function loadStatusCheckConfig(env: Record<string, string | undefined> = process.env): StatusCheckConfig {
  const e = parseEnvironment(schema, env)
  return {
    fetchTimeoutMillis: e.STATUS_LIST_FETCH_TIMEOUT_MILLIS,
    fetchAttempts: e.STATUS_LIST_FETCH_ATTEMPTS,
    maxBytes: e.STATUS_LIST_MAX_BYTES,
    maxCacheSeconds: e.STATUS_LIST_MAX_CACHE_SECONDS,
    unavailablePolicy: e.STATUS_UNAVAILABLE_POLICY,
    allowInsecure: e.STATUS_LIST_ALLOW_INSECURE === 'true',
  }
}
