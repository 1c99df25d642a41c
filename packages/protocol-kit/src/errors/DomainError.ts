import { ERROR_CATALOG, type ErrorCode, type ErrorKind } from './errorCatalog.js'

/**
 * A failure of domain or storage code, with a stable code from the one catalog
 * ({@link ERROR_CATALOG}) and a message a person can act on. It knows no transport: the services'
 * edge answers it in the REST shape (`{ error: { code, message, details } }`) or, on a protocol
 * endpoint, the OAuth shape, with the HTTP status of its kind.
 */
export class DomainError extends Error {
  public readonly kind: ErrorKind
  public readonly details?: unknown

  public constructor(
    public readonly code: ErrorCode,
    message: string,
    options: { details?: unknown; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'DomainError'
    this.kind = ERROR_CATALOG[code].kind
    if (options.details !== undefined) this.details = options.details
  }
}
