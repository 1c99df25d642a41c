import pg from 'pg'
import { StorageQueryError } from '../StorageServiceError.js'

/**
 * A JS array as a PostgreSQL array literal (`{"a","b"}`), as pg sends array parameters; before,
 * an inlined array became JSON text and a `$n::text[]` cast failed ("malformed array literal").
 */
function arrayLiteral(values: readonly unknown[]): string {
  const element = (value: unknown): string => {
    if (value === null || value === undefined) return 'NULL'
    if (Array.isArray(value)) return arrayLiteral(value)
    const text = typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : String(value)
    return `"${text.replace(/[\\"]/g, (char) => `\\${char}`)}"`
  }
  return `{${values.map(element).join(',')}}`
}

/** One value as a SQL literal. Strings go through pg's `escapeLiteral`. */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new StorageQueryError(`Cannot store the number ${value}`)
    return String(value)
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE'
  if (value instanceof Date) return `'${value.toISOString()}'`
  const text = Array.isArray(value) ? arrayLiteral(value) : typeof value === 'string' ? value : JSON.stringify(value)
  // PostgreSQL text cannot hold NUL, and the wire protocol ends a query string at one.
  if (text.includes('\u0000')) throw new StorageQueryError('Values cannot contain NUL characters')
  return pg.escapeLiteral(text)
}

/**
 * Replaces `$1…$n` in a statement of ours with the values as literals, so the statement can
 * travel in one simple-protocol message together with the tenant binding. Only statement texts
 * written in this package go through here; values never become SQL text unescaped.
 */
export function inlineParameters(text: string, values: readonly unknown[] = []): string {
  return text.replace(/\$(\d+)/g, (_placeholder, position: string) => {
    const index = Number(position) - 1
    if (index >= values.length)
      throw new StorageQueryError(`Statement uses $${position} but has ${values.length} values`)
    return sqlLiteral(values[index])
  })
}
