import { randomBytes } from 'node:crypto'
import { type Database, SessionStore } from '@attesto/storage-service'
import { permuteIndex } from './permuteIndex.js'

/** Bits per entry: 1 (valid, revoked) or 2 (valid, revoked, suspended). */
export type StatusBits = 1 | 2

/** One status list of an issuer: its allocation counter and the secret that orders its indices. */
export interface StatusListRow {
  /** `open` while it has free indices; `full` once the last one is taken. */
  state: 'open' | 'full'
  issuerId: string
  listId: string
  seq: number
  bits: StatusBits
  size: number
  /** Indices handed out so far (the next allocation takes ordinal `next`). */
  next: number
  /** base64url secret of {@link permuteIndex}; never leaves storage. */
  seed: string
  /** Bumped by every status change of one of its credentials: the publisher re-signs when it moved. */
  version: number
  createdAt: string
}

export const STATUS_LIST_TYPE = 'StatusList'
/** Status lists and credential status rows outlive any offer: they are kept until deleted. */
export const KEPT_UNTIL_DELETED = new Date('9999-12-31T00:00:00Z')

export const statusPartition = (tenantId: string) => `tenant-${tenantId}`
/** The row id of a list (issuer ids are UUIDs, list ids `s<n>` or `r<n>`). */
export const listKey = (issuerId: string, listId: string) => `${issuerId}/${listId}`
export const listIdOf = (bits: StatusBits, seq: number) => `${bits === 2 ? 's' : 'r'}${seq}`
export const LIST_ID_PATTERN = /^[rs][1-9][0-9]{0,8}$/

// The counter moves by one, and the list is marked full with its last index, in one statement.
const ALLOCATE = `value = value || jsonb_build_object('next', (value->>'next')::int + 1,
  'state', CASE WHEN (value->>'next')::int + 1 >= (value->>'size')::int THEN 'full' ELSE 'open' END)`

/**
 * An issuer's status lists, one row each. Allocation is one conditional UPDATE of the open
 * list's counter (`next < size`), so every ordinal is taken exactly once whichever instances
 * race; the index is the ordinal's place in the list's secret permutation, so indices are
 * random, never reused, and a list's entries are all used. When a list fills up, the next
 * allocation creates its successor (one INSERT; of racing instances one creates it, the others
 * use it), so issuance never pauses.
 */
export class StatusLists extends SessionStore<StatusListRow> {
  private readonly current = new Map<string, number>()

  public constructor(
    private readonly db: Database,
    private readonly schema: string,
    private readonly listSize: number,
  ) {
    super(db, schema, STATUS_LIST_TYPE, statusPartition)
  }

  /** A fresh index for one credential of `issuerId`, in a list of `bits` bits per entry. */
  public async allocate(
    tenantId: string,
    issuerId: string,
    bits: StatusBits,
  ): Promise<{ listId: string; idx: number }> {
    const series = `${tenantId}/${issuerId}/${bits}`
    let seq = this.current.get(series) ?? (await this.latestSeq(tenantId, issuerId, bits))
    for (let attempt = 0; attempt < 10; attempt++) {
      if (seq > 0) {
        const listId = listIdOf(bits, seq)
        const row = await this.updateReturning(tenantId, ALLOCATE, `value->>'state' = 'open'`, [
          listKey(issuerId, listId),
        ])
        if (row) {
          this.current.set(series, seq)
          return { listId, idx: permuteIndex(row.seed, row.size, row.next - 1) }
        }
      }
      // No list yet, or this one is full: open the next (or find that another instance did).
      seq += 1
      await this.open(tenantId, issuerId, bits, seq)
    }
    throw new Error('No status list index could be allocated')
  }

  private async open(tenantId: string, issuerId: string, bits: StatusBits, seq: number): Promise<void> {
    const listId = listIdOf(bits, seq)
    const row: StatusListRow = {
      state: 'open',
      issuerId,
      listId,
      seq,
      bits,
      size: this.listSize,
      next: 0,
      seed: randomBytes(32).toString('base64url'),
      version: 0,
      createdAt: new Date().toISOString(),
    }
    await this.insert(tenantId, listKey(issuerId, listId), row, KEPT_UNTIL_DELETED, { series: `${issuerId}/${bits}` })
  }

  /** The newest list of a series (0 when there is none). */
  private async latestSeq(tenantId: string, issuerId: string, bits: StatusBits): Promise<number> {
    const partition = statusPartition(tenantId)
    const { rows } = await this.db.withTenant(partition, (session) =>
      session.query<{ seq: number | null }>(
        `SELECT max((value->>'seq')::int) AS seq FROM ${this.recordsTable()}
         WHERE tenant_id = $1 AND record_type = $2 AND tags @> $3::jsonb`,
        [partition, STATUS_LIST_TYPE, JSON.stringify({ series: `${issuerId}/${bits}` })],
      ),
    )
    return rows[0]?.seq ?? 0
  }

  /** The schema was validated by the base class's constructor. */
  private recordsTable(): string {
    return `"${this.schema}".tenant_records`
  }
}
