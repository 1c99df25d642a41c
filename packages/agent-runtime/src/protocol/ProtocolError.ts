import type { Logger } from '@credo-ts/core'
import type { ErrorRequestHandler, RequestHandler } from 'express'
import { unsafeInputGuard } from '../edge/unsafeInput.js'
import { failureOf } from '../errors/failureOf.js'
import { LogSampler } from '../logging/LogSampler.js'
import { logFailure } from '../logging/logFailure.js'

/**
 * An error a protocol endpoint answers in the OAuth 2.0 shape (`{ error, error_description }`,
 * RFC 6749 §5.2, used by OID4VCI and OID4VP), with a stable `error` code. A `401` carries a
 * well-formed `WWW-Authenticate: Bearer` challenge (RFC 6750 §3).
 */
export class ProtocolError extends Error {
  public constructor(
    public readonly status: number,
    public readonly error: string,
    description: string,
    public readonly extra: Record<string, unknown> = {},
    /**
     * Response headers the answer carries (`DPoP-Nonce`, a `WWW-Authenticate` challenge of another
     * scheme than Bearer, which then replaces the Bearer one).
     */
    public readonly headers: Record<string, string> = {},
  ) {
    super(description)
  }
}

/** `401 invalid_token`: a missing, malformed, expired or foreign access token. */
export function invalidToken(description: string): ProtocolError {
  return new ProtocolError(401, 'invalid_token', description)
}

/**
 * Refuses protocol input no handler should meet (nested over 32 levels, a NUL or a lone surrogate
 * in a string of the body, query or path) as `400 invalid_request`, the problem's code first in
 * the description. Runs after body parsing.
 */
export const rejectUnsafeProtocolInput: RequestHandler = unsafeInputGuard(
  (problem) => new ProtocolError(400, 'invalid_request', `${problem.code}: ${problem.message}`),
)

const quoted = (value: string) => value.replace(/["\\\r\n]/g, ' ')

/**
 * The protocol endpoints' error handler: ProtocolErrors as they are; any other error through the
 * one mapping ({@link failureOf}) in the OAuth shape: malformed input and other client mistakes as
 * `invalid_request`, an unavailable storage, KMS or queue as `503 temporarily_unavailable`,
 * anything else as `500 server_error` without internals. Logged as the REST handler logs.
 */
export function protocolErrorHandler(logger: Logger, sampler = new LogSampler()): ErrorRequestHandler {
  return (error, request, response, next) => {
    if (response.headersSent) return next(error)
    let failure: ProtocolError
    if (error instanceof ProtocolError) failure = error
    else {
      const { status, oauth } = failureOf(error)
      failure = new ProtocolError(status, oauth.error, oauth.description)
    }
    logFailure(logger, sampler, 'Protocol request', request, { status: failure.status, code: failure.error }, error)
    response.set(failure.headers)
    if (failure.status === 401 && failure.headers['WWW-Authenticate'] === undefined) {
      response.set(
        'WWW-Authenticate',
        `Bearer error="${failure.error}", error_description="${quoted(failure.message)}"`,
      )
    }
    if (typeof failure.extra.retry_after === 'number') response.set('Retry-After', String(failure.extra.retry_after))
    if (!request.complete) response.set('Connection', 'close')
    response
      .status(failure.status)
      .set('Cache-Control', 'no-store')
      .json({ error: failure.error, error_description: failure.message, ...failure.extra })
  }
}
