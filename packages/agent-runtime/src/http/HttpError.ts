/** An error a handler means for the client: an HTTP status, a stable code, a message a person can act on. */
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
