import { randomBytes, randomInt } from 'node:crypto'
import { contextCorrelationIdOf } from '@attesto/agent-runtime'
import { type Database, type SessionRowInput, SessionStore } from '@attesto/storage-service'
import { MAX_BATCH_SIZE } from '../issuers/batchIssuance.js'
import { permuteIndex } from './permuteIndex.js'

/** Bits per entry: 1 (valid, revoked) or 2 (valid, revoked, suspended). */
export type StatusBits = 1 | 2

/** One status list of an issuer: its size and the secret that orders its indices. */
export interface StatusListRow {
  state: 'open'
  issuerId: string
  listId: string
  seq: number
  bits: StatusBits
  size: number
  /** base64url secret of {@link permuteIndex}; never leaves storage. */
  seed: string
  /** How many stripes share out its ordinals (rows `<list>#<k>`). */
  stripes: number
  createdAt: string
}

/**
 * A stripe of a list: the ordinals `[next, end)` it still has, and a change counter. Allocations
 * and status changes spread over the stripes, so they do not all wait for one row.
 */
export interface StatusListStripe {
  state: 'open' | 'full'
  next: number
  end: number
  /** Bumped by every status change on the list: the publisher re-signs when the sum moved. */
  version: number
  /** Where the last block taken off the stripe started. */
  taken?: number
}

export const STATUS_LIST_TYPE = 'StatusList'
export const STATUS_LIST_STRIPE_TYPE = 'StatusListStripe'
const STRIPES = 16
/** Blocks an instance holds per series at most: remainders of batches that a stripe's end cut short. */
const MAX_HELD_BLOCKS = 32
/** Status lists and credential status rows outlive any offer: they are kept until deleted. */
export const KEPT_UNTIL_DELETED = new Date('9999-12-31T00:00:00Z')

/** The partition of a tenant's status lists: its agent context's correlation id. */
export const statusPartition = contextCorrelationIdOf
/** The row id of a list (issuer ids are UUIDs, list ids `s<n>` or `r<n>`). */
export const listKey = (issuerId: string, listId: string) => `${issuerId}/${listId}`
export const stripeIds = (key: string, stripes: number) => Array.from({ length: stripes }, (_, k) => `${key}#${k}`)
export const listIdOf = (bits: StatusBits, seq: number) => `${bits === 2 ? 's' : 'r'}${seq}`
export const LIST_ID_PATTERN = /^[rs][1-9][0-9]{0,8}$/

// Up to $4 ordinals off a stripe (`taken` keeps where the block starts, for RETURNING), and the
// stripe marked full with its last one, in one statement.
const ALLOCATE = `value = value || jsonb_build_object('taken', (value->>'next')::int,
  'next', least((value->>'next')::int + $4::int, (value->>'end')::int),
  'state', CASE WHEN (value->>'next')::int + $4::int >= (value->>'end')::int THEN 'full' ELSE 'open' END)`

/** Ordinals `[next, end)` of one list that this instance has taken and not handed out yet. */
interface HeldOrdinals {
  listId: string
  seed: string
  size: number
  next: number
  end: number
}

/**
 * An issuer's status lists. Allocation is one conditional UPDATE of a random open stripe's
 * counter (`next < end`), so every ordinal is taken exactly once whichever instances race; the
 * index is the ordinal's place in the list's secret permutation, so indices are random, never
 * reused, and all of a list's entries get used. A list and its stripes are made by one INSERT
 * (of racing instances one makes it, the others use it); when every stripe is full the next
 * allocation makes the next list, so issuance never pauses.
 *
 * An instance takes ordinals a block at a time (`blockSize`, one UPDATE per block; a batch takes
 * its own size in one UPDATE) and hands them out from memory; the ordinals of a block an
 * instance had not handed out when it stopped are never used (their entries stay `valid`, 0).
 */
export class StatusLists extends SessionStore<StatusListRow> {
  private readonly current = new Map<string, number>()
  private readonly lists = new Map<string, { row: StatusListRow; full: Set<number> }>()
  private readonly held = new Map<string, HeldOrdinals[]>()
  private readonly stripes: SessionStore<StatusListStripe>

  public constructor(
    database: Database,
    schema: string,
    private readonly listSize: number,
    /** Ordinals taken per allocation statement. */
    private readonly blockSize = 1,
  ) {
    super(database, schema, STATUS_LIST_TYPE, statusPartition)
    this.stripes = new SessionStore(database, schema, STATUS_LIST_STRIPE_TYPE, statusPartition)
  }

  /**
   * A fresh index for one credential of `issuerId`, in a list of `bits` bits per entry. `opened`
   * is true for the one call, of all instances, that made the list.
   */
  public async allocate(
    tenantId: string,
    issuerId: string,
    bits: StatusBits,
  ): Promise<{ listId: string; idx: number; opened: boolean }> {
    const { listId, indices, opened } = await this.allocateMany(tenantId, issuerId, bits, 1)
    return { listId, idx: indices[0] as number, opened }
  }

  /**
   * `count` fresh indices (a batch issuance's, one per credential) of `issuerId`, all in one
   * list of `bits` bits per entry. `opened` is true for the one call, of all instances, that made
   * the list. A batch is taken off one stripe by one statement, exactly its size (so batches leave
   * no remainders behind); a stripe too near its end to hold it gives what it has to this
   * instance's blocks (for later credentials) and the next stripe is tried.
   */
  public async allocateMany(
    tenantId: string,
    issuerId: string,
    bits: StatusBits,
    count: number,
  ): Promise<{ listId: string; indices: number[]; opened: boolean }> {
    const series = `${tenantId}/${issuerId}/${bits}`
    const fromHeld = this.takeHeld(series, count)
    if (fromHeld) return fromHeld
    let seq = this.current.get(series) ?? (await this.latestSeq(tenantId, issuerId, bits))
    let opened = false
    for (let attempt = 0; attempt < 4 * STRIPES; attempt++) {
      const list = seq > 0 ? await this.known(tenantId, issuerId, listIdOf(bits, seq)) : undefined
      if (list && list.full.size < list.row.stripes) {
        const open = Array.from({ length: list.row.stripes }, (_, k) => k).filter((k) => !list.full.has(k))
        const stripe = open[randomInt(open.length)] as number
        const key = listKey(issuerId, list.row.listId)
        const taken = await this.takeOrdinals(tenantId, `${key}#${stripe}`, count > 1 ? count : this.blockSize)
        if (taken === null || taken.to - taken.from < count) {
          // Full, or too few left for this batch (the stripe is full now): what it gave is kept.
          if (taken) this.hold(series, { ...this.blockOf(list.row), next: taken.from, end: taken.to })
          list.full.add(stripe)
          continue
        }
        this.current.set(series, seq)
        const block = { ...this.blockOf(list.row), next: taken.from, end: taken.to }
        const indices = this.handOut(block, count)
        this.hold(series, block)
        return { listId: list.row.listId, indices, opened }
      }
      // No list yet, or every stripe of this one is full: move to the newest list if other
      // instances have gone on meanwhile, else open the next (or find another instance did).
      const latest = await this.latestSeq(tenantId, issuerId, bits)
      if (latest > seq) {
        seq = latest
        continue
      }
      seq += 1
      opened = await this.open(tenantId, issuerId, bits, seq)
    }
    throw new Error('No status list index could be allocated')
  }

  private blockOf(row: StatusListRow): Omit<HeldOrdinals, 'next' | 'end'> {
    return { listId: row.listId, seed: row.seed, size: row.size }
  }

  /** The indices of the next `count` ordinals of `block` (which moves past them). */
  private handOut(block: HeldOrdinals, count: number): number[] {
    const indices = Array.from({ length: count }, (_, k) => permuteIndex(block.seed, block.size, block.next + k))
    block.next += count
    return indices
  }

  /** Keeps what is left of a block for the series (at most {@link MAX_HELD_BLOCKS}; the oldest give way, unused). */
  private hold(series: string, block: HeldOrdinals): void {
    if (block.next >= block.end) return
    const blocks = [...(this.held.get(series) ?? []), block]
    this.held.set(series, blocks.slice(-MAX_HELD_BLOCKS))
  }

  /** `count` indices from a block this instance holds for the series, if one has that many. */
  private takeHeld(series: string, count: number): { listId: string; indices: number[]; opened: false } | undefined {
    const blocks = this.held.get(series)
    const at = blocks?.findIndex((block) => block.end - block.next >= count) ?? -1
    const block = blocks?.[at]
    if (!blocks || !block) return undefined
    const indices = this.handOut(block, count)
    if (block.next >= block.end) blocks.splice(at, 1)
    if (blocks.length === 0) this.held.delete(series)
    return { listId: block.listId, indices, opened: false }
  }

  /** The list row, read once per process (it never changes). */
  private async known(tenantId: string, issuerId: string, listId: string) {
    const key = `${tenantId}/${listKey(issuerId, listId)}`
    const cached = this.lists.get(key)
    if (cached) return cached
    const row = await this.find(tenantId, listKey(issuerId, listId))
    if (!row) return undefined
    const entry = { row, full: new Set<number>() }
    if (this.lists.size >= 10_000) this.lists.clear()
    this.lists.set(key, entry)
    return entry
  }

  /** Up to `count` ordinals `[from, to)` off an open stripe, or null when it is full. */
  private async takeOrdinals(
    tenantId: string,
    stripeId: string,
    count: number,
  ): Promise<{ from: number; to: number } | null> {
    const stripe = await this.stripes.updateReturning(tenantId, ALLOCATE, `value->>'state' = 'open'`, [stripeId, count])
    return stripe ? { from: stripe.taken as number, to: stripe.next } : null
  }

  /**
   * Makes list `seq` and its stripes in one statement; a list made meanwhile by another instance
   * stands. True when this call made it.
   */
  private async open(tenantId: string, issuerId: string, bits: StatusBits, seq: number): Promise<boolean> {
    const listId = listIdOf(bits, seq)
    const key = listKey(issuerId, listId)
    // Every stripe holds a whole batch of the largest size (STATUS_LIST_SIZE is at least that).
    const stripes = Math.max(1, Math.min(STRIPES, Math.floor(this.listSize / MAX_BATCH_SIZE)))
    const row: StatusListRow = {
      state: 'open',
      issuerId,
      listId,
      seq,
      bits,
      size: this.listSize,
      seed: randomBytes(32).toString('base64url'),
      stripes,
      createdAt: new Date().toISOString(),
    }
    const bounds = (k: number) => Math.floor((k * this.listSize) / stripes)
    const rows: SessionRowInput[] = [
      { recordType: STATUS_LIST_TYPE, id: key, value: row, tags: { series: `${issuerId}/${bits}` } },
      ...stripeIds(key, stripes).map((id, k) => ({
        recordType: STATUS_LIST_STRIPE_TYPE,
        id,
        value: { state: 'open', next: bounds(k), end: bounds(k + 1), version: 0 } satisfies StatusListStripe,
      })),
    ]
    return this.insertAll(tenantId, rows, KEPT_UNTIL_DELETED)
  }

  /** The newest list of a series (0 when there is none). */
  private async latestSeq(tenantId: string, issuerId: string, bits: StatusBits): Promise<number> {
    return (await this.aggregate(tenantId, 'max', 'seq', { tags: { series: `${issuerId}/${bits}` } })) ?? 0
  }

  /** The sum of a list's stripe versions: it moves with every status change on the list. */
  public async version(tenantId: string, list: StatusListRow): Promise<number> {
    const ids = stripeIds(listKey(list.issuerId, list.listId), list.stripes)
    return (await this.stripes.aggregate(tenantId, 'sum', 'version', { ids })) ?? 0
  }
}
