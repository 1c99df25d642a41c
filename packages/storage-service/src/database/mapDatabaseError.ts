import { CredoError } from '@credo-ts/core'
import { StorageServiceError, StorageUnavailableError } from '../StorageServiceError.js'

const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '57014', // query_canceled: the statement timeout fired
  '25006', // read_only_sql_transaction: a write reached a standby (a primary switch is under way)
])

const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
])

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

function isErrorLike(error: unknown): error is { message: string } {
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string'
}

/** Whether the error means the database (or the connection to it) is unavailable. */
export function isUnavailableError(error: unknown): boolean {
  const code = errorCode(error)
  if (code && (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_NODE_CODES.has(code))) {
    return true
  }
  const message = isErrorLike(error) ? error.message : ''
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end/.test(
    message,
  )
}

/** Whether the error (or the database error it wraps) is a unique-key violation. */
export function isUniqueViolation(error: unknown): boolean {
  return errorCode(error) === '23505' || errorCode((error as { cause?: unknown } | null)?.cause) === '23505'
}

/**
 * The one place where database errors become storage errors. Credo errors raised by the
 * storage service itself (not found, duplicate) pass through unchanged.
 */
export function mapDatabaseError(error: unknown): Error {
  if (error instanceof CredoError) return error
  // Not `instanceof Error`: errors from Node's core can come from another realm (vm contexts).
  const cause = isErrorLike(error) ? (error as Error) : new Error(String(error))
  if (isUnavailableError(error)) {
    return new StorageUnavailableError(`The storage database is unavailable: ${cause.message}`, { cause })
  }
  const code = errorCode(error)
  return new StorageServiceError(`Storage statement failed${code ? ` (SQLSTATE ${code})` : ''}: ${cause.message}`, {
    cause,
  })
}
