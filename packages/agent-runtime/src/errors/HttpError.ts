/**
 * An error meant for the client: an HTTP status, a stable code, a message a person can act on.
 * The bottom of the runtime: any layer may throw it (a store's 404, a queue's 503), and the REST
 * error handler (http/errorHandler.ts) answers it as it is.
 */
export class HttpError extends Error {
  public constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly details?: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}
