import { parseEnvironment } from '@attesto/agent-runtime'
import { z } from 'zod'
import { MAX_BATCH_SIZE } from '../issuers/batchIssuance.js'

const schema = z.object({
  STATUS_LIST_SIZE: z.coerce.number().int().min(MAX_BATCH_SIZE).max(8_388_608).default(131_072),
  STATUS_LIST_ALLOCATION_BLOCK: z.coerce.number().int().min(1).max(1024).default(16),
  STATUS_LIST_UPDATE_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  STATUS_LIST_TOKEN_VALIDITY_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(31 * 86_400)
    .default(86_400),
})

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

export function loadStatusListConfig(env: Record<string, string | undefined> = process.env): StatusListConfig {
  const e = parseEnvironment(schema, env)
  if (e.STATUS_LIST_TOKEN_VALIDITY_SECONDS < 2 * e.STATUS_LIST_UPDATE_INTERVAL_SECONDS) {
    throw new Error('STATUS_LIST_TOKEN_VALIDITY_SECONDS must be at least twice STATUS_LIST_UPDATE_INTERVAL_SECONDS')
  }
  return {
    listSize: e.STATUS_LIST_SIZE,
    allocationBlock: e.STATUS_LIST_ALLOCATION_BLOCK,
    updateIntervalSeconds: e.STATUS_LIST_UPDATE_INTERVAL_SECONDS,
    tokenValiditySeconds: e.STATUS_LIST_TOKEN_VALIDITY_SECONDS,
  }
}
