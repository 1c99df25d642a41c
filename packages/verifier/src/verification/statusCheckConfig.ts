import { configSection, type Environment, readSection, variable } from '@attesto/agent-runtime'
import { z } from 'zod'

/** The verifier's status checks (docs/REVOCATION.md). */
const STATUS_CHECK_VARIABLES = {
  STATUS_LIST_FETCH_TIMEOUT_MILLIS: variable(z.coerce.number().int().min(100).max(60_000).default(5_000), {
    description: 'time per try of a status list fetch ([docs/REVOCATION.md](docs/REVOCATION.md))',
  }),
  STATUS_LIST_FETCH_ATTEMPTS: variable(z.coerce.number().int().min(1).max(5).default(2), {
    description: 'tries of a status list fetch (no connection, timeout, 502/503/504 only)',
  }),
  STATUS_LIST_MAX_BYTES: variable(
    z.coerce
      .number()
      .int()
      .min(1_024)
      .max(16 * 1024 * 1024)
      .default(1024 * 1024),
    { description: 'size limit of a status list token', defaultText: '1,048,576 (1 MiB)' },
  ),
  STATUS_LIST_MAX_CACHE_SECONDS: variable(z.coerce.number().int().min(1).max(86_400).default(3_600), {
    description: 'a status list token is cached for its `ttl` (bounded by its `exp`), never longer than this',
  }),
  STATUS_UNAVAILABLE_POLICY: variable(z.enum(['reject', 'accept']).default('reject'), {
    description:
      '`reject` (fail closed) or `accept` (flagged) when a status list cannot be fetched; a request may choose',
  }),
  STATUS_LIST_ALLOW_INSECURE: variable(z.enum(['true', 'false']).default('false'), {
    description:
      'fetch status lists over http and from loopback and private-network addresses: development, tests and demo networks only (`npm start` sets `true`)',
  }),
}

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

export const STATUS_CHECK_SECTION = configSection({
  variables: STATUS_CHECK_VARIABLES,
  from: (e): StatusCheckConfig => ({
    fetchTimeoutMillis: e.STATUS_LIST_FETCH_TIMEOUT_MILLIS,
    fetchAttempts: e.STATUS_LIST_FETCH_ATTEMPTS,
    maxBytes: e.STATUS_LIST_MAX_BYTES,
    maxCacheSeconds: e.STATUS_LIST_MAX_CACHE_SECONDS,
    unavailablePolicy: e.STATUS_UNAVAILABLE_POLICY,
    allowInsecure: e.STATUS_LIST_ALLOW_INSECURE === 'true',
  }),
})

/** The status check configuration of `env` alone (`{}`: the defaults); the verifier reads it at boot with the rest. */
export function loadStatusCheckConfig(env: Environment): StatusCheckConfig {
  return readSection(STATUS_CHECK_SECTION, env)
}
