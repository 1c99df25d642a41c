import { configSection, type Environment, readSection, variable } from '@attesto/agent-runtime'
import { z } from 'zod'
import { MAX_BATCH_SIZE } from '../issuers/batchIssuance.js'

/** The issuer's Token Status Lists (docs/REVOCATION.md). */
const STATUS_LIST_VARIABLES = {
  STATUS_LIST_SIZE: variable(z.coerce.number().int().min(MAX_BATCH_SIZE).max(8_388_608).default(131_072), {
    description: 'entries of a new status list ([docs/REVOCATION.md](docs/REVOCATION.md))',
    defaultText: '131,072 (2^17)',
  }),
  STATUS_LIST_ALLOCATION_BLOCK: variable(z.coerce.number().int().min(1).max(1024).default(16), {
    description: 'status-list indices an instance takes per statement',
  }),
  STATUS_LIST_UPDATE_INTERVAL_SECONDS: variable(z.coerce.number().int().min(1).max(86_400).default(60), {
    description:
      "longest a status change waits to be published; lists are signed at most once per interval; the token's `ttl`",
  }),
  STATUS_LIST_TOKEN_VALIDITY_SECONDS: variable(
    z.coerce
      .number()
      .int()
      .min(60)
      .max(31 * 86_400)
      .default(86_400),
    { description: 'lifetime (`exp`) of a status list token, at least twice the update interval' },
  ),
}

/** Token Status List settings (docs/REVOCATION.md); every value has a default. */
export interface StatusListConfig {
  /**
   * Entries of a new list (2^17 by default; at least the largest batch size, so one list can hold a
   * batch); a full list rolls over to a new one.
   */
  listSize: number
  /**
   * Indices an instance takes from storage at a time (one statement per block) and hands out from
   * memory; those it has not handed out when it stops are never used.
   */
  allocationBlock: number
  /**
   * The longest a status change waits before the published token shows it. A list is signed at
   * most once per interval, whatever the number of changes; it is also the token's `ttl`.
   */
  updateIntervalSeconds: number
  /** A token's `exp` is this long after its `iat`; an unchanged list is re-signed at half of it. */
  tokenValiditySeconds: number
}

export const STATUS_LIST_SECTION = configSection({
  variables: STATUS_LIST_VARIABLES,
  check: (e) =>
    e.STATUS_LIST_TOKEN_VALIDITY_SECONDS < 2 * e.STATUS_LIST_UPDATE_INTERVAL_SECONDS
      ? [
          {
            variable: 'STATUS_LIST_TOKEN_VALIDITY_SECONDS',
            message: 'must be at least twice STATUS_LIST_UPDATE_INTERVAL_SECONDS',
          },
        ]
      : [],
  from: (e): StatusListConfig => ({
    listSize: e.STATUS_LIST_SIZE,
    allocationBlock: e.STATUS_LIST_ALLOCATION_BLOCK,
    updateIntervalSeconds: e.STATUS_LIST_UPDATE_INTERVAL_SECONDS,
    tokenValiditySeconds: e.STATUS_LIST_TOKEN_VALIDITY_SECONDS,
  }),
})

/**
 * The status list configuration of `env` alone (`{}`: the defaults); a bad one throws a
 * `RuntimeConfigError` naming the variable.
 */
export function loadStatusListConfig(env: Environment): StatusListConfig {
  return readSection(STATUS_LIST_SECTION, env)
}
