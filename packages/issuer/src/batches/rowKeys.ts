import { createHash } from 'node:crypto'
import { TenantDocumentStore } from '@attesto/agent-runtime'
import type { AgentContext } from '@credo-ts/core'
import { RecordDuplicateError } from '@credo-ts/core'

/** Who first submitted a row key, and the pre-authorised code of its offer. */
export interface RowKeyOwner {
  batchId: string
  row: number
  code: string
}

const owners = new TenantDocumentStore<RowKeyOwner>('row-key', 'row_key_not_found', 'row key')
const idOf = (key: string) => createHash('sha256').update(key).digest('hex')

/**
 * The owner of a row key in the tenant: the first row to claim it. Claiming is a save under an
 * id derived from the key, so two workers claiming at once have one winner.
 */
export async function claimRowKey(tenantContext: AgentContext, key: string, claim: RowKeyOwner): Promise<RowKeyOwner> {
  const id = idOf(key)
  const existing = await owners.find(tenantContext, id)
  if (existing) return existing
  try {
    await owners.save(tenantContext, id, claim)
    return claim
  } catch (error) {
    if (!(error instanceof RecordDuplicateError)) throw error
    return owners.get(tenantContext, id)
  }
}
