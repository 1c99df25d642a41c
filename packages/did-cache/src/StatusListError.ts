import { DidCacheError } from './DidCacheError.js'

/** A status list token could not be fetched (refused address, timeout, too large, not 200). */
export class StatusListUnavailableError extends DidCacheError {
  public readonly code = 'status_unavailable'
}

/** A fetched status list token is not valid for the reference (signature, `typ`, `sub`, `exp`, index). */
export class StatusListInvalidError extends DidCacheError {
  public readonly code = 'status_list_invalid'
}
