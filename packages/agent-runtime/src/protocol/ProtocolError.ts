import { KmsUnavailableError } from '@attesto/kms-adapter'
import { StorageUnavailableError } from '@attesto/storage-service'
import type { Logger } from '@credo-ts/core'
import type { ErrorRequestHandler, RequestHandler } from 'express'
import { ZodError } from 'zod'
import { unsafeInputGuard } from '../edge/unsafeInput.js'
import { LogSampler } from '../logging/LogSampler.js'

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
 * The protocol endpoints' one error handler: ProtocolErrors as they are, malformed input as
 * `400 invalid_request`, an unavailable storage, KMS or queue as `503 temporarily_unavailable`
 * (logged at warn level), anything else as `500 server_error` without internals (logged at error
 * level). Refusals (4xx, anonymous callers' mistakes) are logged at debug level only; both are
 * sampled per status and code (the first, then one line per 10 s with the count left out).
 */
export function protocolErrorHandler(logger: Logger, sampler = new LogSampler()): ErrorRequestHandler {
  return (error, request, response, next) => {
    if (response.headersSent) return next(error)
    let failure: ProtocolError
    if (error instanceof ProtocolError) failure = error
    else if (error instanceof ZodError) {
      const first = error.issues[0]
      failure = new ProtocolError(
        400,
        'invalid_request',
        first ? `${first.path.join('.') || 'body'}: ${first.message}` : 'Invalid request',
      )
    } else if ((error as { type?: string } | null)?.type === 'entity.parse.failed') {
      failure = new ProtocolError(400, 'invalid_request', 'The request body could not be parsed')
    } else if ((error as { type?: string } | null)?.type === 'entity.too.large') {
      failure = new ProtocolError(413, 'invalid_request', 'The request body is too large')
    } else if (
      typeof (error as { status?: unknown })?.status === 'number' &&
      (error as { status: number }).status < 500
    ) {
      failure = new ProtocolError((error as { status: number }).status, 'invalid_request', 'Invalid request')
    } else if (
      error instanceof StorageUnavailableError ||
      error instanceof KmsUnavailableError ||
      (error as { status?: unknown })?.status === 503
    ) {
      failure = new ProtocolError(503, 'temporarily_unavailable', 'A backing service is unavailable; retry later')
    } else {
      failure = new ProtocolError(500, 'server_error', 'Internal error')
    }
    sampler.sample(`${failure.status} ${failure.error}`, (suppressed) => {
      const data = { method: request.method, status: failure.status, code: failure.error, suppressed }
      // 503: a dependency is away, an expected answer (warn); other 5xx are failures (error).
      if (failure.status === 503) logger.warn('Protocol request answered 503', data)
      else if (failure.status >= 500) logger.error('Protocol request failed', { ...data, path: request.path, error })
      else logger.debug('Protocol request refused', data)
    })
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
