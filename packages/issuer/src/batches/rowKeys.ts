import { createHash } from 'node:crypto'
import { TenantDocumentStore } from '@attesto/agent-runtime'
import type { AgentContext } from '@credo-ts/core'

/** Who first submitted a row key, and the pre-authorised code of its offer. */
export interface RowKeyOwner {
  batchId: string
  row: number
  code: string
}

const owners = new TenantDocumentStore<RowKeyOwner>('row-key', 'row_key_not_found', 'row key')

/**
 * The owner of a row key in the tenant: the first row to claim it (one winner, even between two
 * workers claiming at once).
 */
export function claimRowKey(tenantContext: AgentContext, key: string, claim: RowKeyOwner): Promise<RowKeyOwner> {
  return owners.claim(tenantContext, createHash('sha256').update(key).digest('hex'), claim)
}
