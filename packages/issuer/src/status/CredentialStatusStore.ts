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
 * Credential status rows in the issuing tenant's partition (so another tenant cannot see or
 * change them). A row whose status is not `valid` carries the tag `flagged: <list>`, so the
 * publisher reads only the entries that are set. A change is one statement: the credential's
 * row, and the version of one stripe of its list (what tells the publisher to re-sign).
 */
export class CredentialStatusStore extends SessionStore<CredentialStatusRow> {
  public constructor(
    private readonly db: Database,
    private readonly schema: string,
  ) {
    super(db, schema, CREDENTIAL_STATUS_TYPE, statusPartition)
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
    const partition = statusPartition(tenantId)
    const table = `"${this.schema}".tenant_records`
    const { rows } = await this.db.withTenant(partition, (session) =>
      session.query<{ before: CredentialStatusRow; after: CredentialStatusRow | null }>(
        `WITH old AS (
           SELECT value FROM ${table}
           WHERE tenant_id = $1 AND record_type = $2 AND id = $3 FOR UPDATE
         ), changed AS (
           UPDATE ${table} SET
             value = value || jsonb_build_object('state', $4::text, 'changedAt', $5::text),
             tags = CASE WHEN $4::text = 'valid' THEN '{}'::jsonb
               ELSE jsonb_build_object('flagged', (value->>'issuerId') || '/' || (value->>'listId')) END,
             updated_at = now()
           WHERE tenant_id = $1 AND record_type = $2 AND id = $3
             AND value->>'state' NOT IN ('revoked', $4::text)
             AND ($4::text <> 'suspended' OR (value->>'bits')::int = 2)
           RETURNING value
         ), bumped AS (
           UPDATE ${table} SET value = value || jsonb_build_object('version', (value->>'version')::bigint + 1),
             updated_at = now()
           WHERE tenant_id = $1 AND record_type = $6
             AND id = (SELECT c.value->>'issuerId' || '/' || (c.value->>'listId') || '#' ||
               ((c.value->>'idx')::int % (l.value->>'stripes')::int)
               FROM changed c JOIN ${table} l ON l.tenant_id = $1 AND l.record_type = $7
                 AND l.id = c.value->>'issuerId' || '/' || (c.value->>'listId'))
           RETURNING 1
         )
         SELECT old.value AS before, changed.value AS after FROM old LEFT JOIN changed ON true`,
        [
          partition,
          CREDENTIAL_STATUS_TYPE,
          offerId,
          to,
          new Date().toISOString(),
          STATUS_LIST_STRIPE_TYPE,
          STATUS_LIST_TYPE,
        ],
      ),
    )
    const found = rows[0]
    if (!found) return { outcome: 'not_found' }
    if (found.after) return { outcome: 'changed', previous: found.before.state, row: found.after }
    return found.before.state === to
      ? { outcome: 'unchanged', row: found.before }
      : { outcome: 'refused', row: found.before }
  }

  /** The entries of a list whose status is not `valid` (index and status; every index of a batch). */
  public async flagged(
    tenantId: string,
    issuerId: string,
    listId: string,
  ): Promise<{ idx: number; state: CredentialStatusValue }[]> {
    const partition = statusPartition(tenantId)
    const { rows } = await this.db.withTenant(partition, (session) =>
      session.query<{ idx: number; state: CredentialStatusValue }>(
        `SELECT entry.idx::int AS idx, value->>'state' AS state FROM "${this.schema}".tenant_records,
           jsonb_array_elements_text(coalesce(value->'indices', jsonb_build_array(value->'idx'))) AS entry(idx)
         WHERE tenant_id = $1 AND record_type = $2 AND tags @> $3::jsonb`,
        [partition, CREDENTIAL_STATUS_TYPE, JSON.stringify({ flagged: listKey(issuerId, listId) })],
      ),
    )
    return rows
  }
}
