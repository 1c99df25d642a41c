import type { CredentialStatusValue } from '@attesto/protocol-kit'
import { type Database, SessionStore } from '@attesto/storage-service'
import {
  KEPT_UNTIL_DELETED,
  listKey,
  STATUS_LIST_STRIPE_TYPE,
  STATUS_LIST_TYPE,
  type StatusBits,
  statusPartition,
} from './StatusLists.js'

/**
 * The status of the credential an offer yielded (id = its offer id): where its entry is (its
 * entries, for a batch: all in one list) and what it says.
 */
export interface CredentialStatusRow {
  state: CredentialStatusValue
  issuerId: string
  configurationId: string
  listId: string
  /** The credential's index; a batch's first. */
  idx: number
  /** Every index of a batch (one per credential, `idx` first); absent for one credential. */
  indices?: number[]
  bits: StatusBits
  issuedAt: string
  changedAt?: string
}

export const CREDENTIAL_STATUS_TYPE = 'CredentialStatus'

/** What a requested change did. */
export type StatusChange =
  | { outcome: 'changed'; previous: CredentialStatusValue; row: CredentialStatusRow }
  | { outcome: 'unchanged'; row: CredentialStatusRow }
  | { outcome: 'refused'; row: CredentialStatusRow }
  | { outcome: 'not_found' }

/**
 * The id of the stripe of the changed credential's list that its (first) index falls in: the list
 * row (`$6`, its record type) says how many stripes it has.
 */
const stripeOfChanged = (table: string) =>
  `SELECT c.value->>'issuerId' || '/' || (c.value->>'listId') || '#' ||
     ((c.value->>'idx')::int % (l.value->>'stripes')::int)
   FROM changed c JOIN ${table} l ON l.tenant_id = $1 AND l.record_type = $6
     AND l.id = c.value->>'issuerId' || '/' || (c.value->>'listId')`

/**
 * Credential status rows in the issuing tenant's partition (so another tenant cannot see or
 * change them). A row whose status is not `valid` carries the tag `flagged: <list>`, so the
 * publisher reads only the entries that are set. A change is one statement: the credential's
 * row, and the version of one stripe of its list (what tells the publisher to re-sign).
 */
export class CredentialStatusStore extends SessionStore<CredentialStatusRow> {
  public constructor(database: Database, schema: string) {
    super(database, schema, CREDENTIAL_STATUS_TYPE, statusPartition)
  }

  /** Records the status entry of a credential being issued; false when the offer has one already. */
  public create(tenantId: string, offerId: string, row: CredentialStatusRow): Promise<boolean> {
    return this.insert(tenantId, offerId, row, KEPT_UNTIL_DELETED)
  }

  /**
   * Sets a credential's status. A revoked credential stays revoked; a credential on a 1-bit list
   * cannot be suspended; setting the status it has changes nothing.
   */
  public async change(tenantId: string, offerId: string, to: CredentialStatusValue): Promise<StatusChange> {
    const { before, after } = await this.updateCounting(
      tenantId,
      `value = value || jsonb_build_object('state', $4::text, 'changedAt', $5::text),
       tags = CASE WHEN $4::text = 'valid' THEN '{}'::jsonb
         ELSE jsonb_build_object('flagged', (value->>'issuerId') || '/' || (value->>'listId')) END`,
      `value->>'state' NOT IN ('revoked', $4::text) AND ($4::text <> 'suspended' OR (value->>'bits')::int = 2)`,
      [offerId, to, new Date().toISOString(), STATUS_LIST_TYPE],
      { recordType: STATUS_LIST_STRIPE_TYPE, field: 'version', idOf: stripeOfChanged },
    )
    if (!before) return { outcome: 'not_found' }
    if (after) return { outcome: 'changed', previous: before.state, row: after }
    return before.state === to ? { outcome: 'unchanged', row: before } : { outcome: 'refused', row: before }
  }

  /** The entries of a list whose status is not `valid` (index and status; every index of a batch). */
  public async flagged(
    tenantId: string,
    issuerId: string,
    listId: string,
  ): Promise<{ idx: number; state: CredentialStatusValue }[]> {
    const rows = await this.findAll(tenantId, { flagged: listKey(issuerId, listId) })
    return rows.flatMap(({ value }) => (value.indices ?? [value.idx]).map((idx) => ({ idx, state: value.state })))
  }
}
