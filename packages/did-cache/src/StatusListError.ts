import { DidCacheError } from './DidCacheError.js'

/** A status list token could not be fetched (refused address, timeout, too large, not 200). */
export class StatusListUnavailableError extends DidCacheError {
  public readonly code = 'status_unavailable'
  /** A failure that passes (no connection, no answer in time, 502/503/504): worth another try. */
  public transient = false

  /** The same failure, marked as one that passes. */
  public static transient(message: string, options?: { cause?: Error }): StatusListUnavailableError {
    const error = new StatusListUnavailableError(message, options)
    error.transient = true
    return error
  }
}

/** A fetched status list token is not valid for the reference (signature, `typ`, `sub`, `exp`, index). */
export class StatusListInvalidError extends DidCacheError {
  public readonly code = 'status_list_invalid'
}
