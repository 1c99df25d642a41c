import { DomainError } from '@attesto/protocol-kit'
import { CURSOR_MICROS_PATTERN, type RecordPageCursor, type RecordPageReturn } from '@attesto/storage-service'
import { z } from 'zod'
import { isSafeString } from '../edge/unsafeInput.js'

/** Most items one page may carry. */
export const MAX_PAGE_LIMIT = 100
/** Items per page when `limit` is not given. */
export const DEFAULT_PAGE_LIMIT = 20

/** `limit` and `cursor`, the query parameters every list endpoint takes. */
export const pageQueryShape = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT),
  cursor: z.string().min(1).max(512).optional(),
}

/** An ISO 8601 instant with an offset, from the year 1 (PostgreSQL has no year 0). */
const instant = z.iso
  .datetime({ offset: true })
  .refine((value) => Date.parse(value) >= Date.parse('0001-01-01T00:00:00Z'), 'from the year 1 on')

/** `createdFrom` (inclusive) and `createdBefore` (exclusive): ISO 8601 instants with an offset. */
export const createdRangeShape = {
  createdFrom: instant.optional(),
  createdBefore: instant.optional(),
}

/** A list's query: `limit`, `cursor` and the list's own filters; any other parameter is refused. */
export function pageQuery<Shape extends z.ZodRawShape>(filters: Shape) {
  return z.strictObject({ ...pageQueryShape, ...filters })
}

/** The created-at range of a query, as dates. */
export function createdRange(query: { createdFrom?: string; createdBefore?: string }) {
  return {
    ...(query.createdFrom ? { createdFrom: new Date(query.createdFrom) } : {}),
    ...(query.createdBefore ? { createdBefore: new Date(query.createdBefore) } : {}),
  }
}

const invalidCursor = () =>
  new DomainError('invalid_cursor', "The cursor is not one this list answered: pass 'next_cursor' as it came")

/**
 * An opaque cursor: the last row's creation time and id, and the list it belongs to (a cursor
 * of one list is refused by another).
 */
export function encodeCursor(list: string, cursor: RecordPageCursor): string {
  return Buffer.from(JSON.stringify([list, cursor.createdAtMicros, cursor.id])).toString('base64url')
}

/** The position a cursor names; 400 `invalid_cursor` when it is not one of `list`'s. */
export function decodeCursor(list: string, text: string | undefined): RecordPageCursor | undefined {
  if (text === undefined) return undefined
  try {
    const decoded: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
    if (!Array.isArray(decoded) || decoded.length !== 3 || decoded[0] !== list) throw invalidCursor()
    const [, createdAtMicros, id] = decoded
    const valid =
      typeof createdAtMicros === 'string' &&
      CURSOR_MICROS_PATTERN.test(createdAtMicros) &&
      typeof id === 'string' &&
      id.length > 0 &&
      id.length <= 512 &&
      isSafeString(id)
    if (!valid) throw invalidCursor()
    return { createdAtMicros, id }
  } catch (error) {
    throw error instanceof DomainError ? error : invalidCursor()
  }
}

/** The answer of a list: `{ <name>: [...], next_cursor }` (`null` on the last page). */
export function pageBody<Item, Value>(
  list: string,
  name: string,
  page: RecordPageReturn<Value>,
  view: (value: Value, id: string, createdAt: Date) => Item,
) {
  return {
    [name]: page.items.map((item) => view(item.value, item.id, item.createdAt)),
    next_cursor: page.next ? encodeCursor(list, page.next) : null,
  }
}
