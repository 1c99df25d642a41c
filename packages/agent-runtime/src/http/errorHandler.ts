import type { Logger } from '@credo-ts/core'
import type { ErrorRequestHandler } from 'express'
import { failureOf } from '../errors/failureOf.js'
import { LogSampler } from '../logging/LogSampler.js'
import { logFailure } from '../logging/logFailure.js'

interface ErrorBody {
  error: { code: string; message: string; details?: unknown }
}

/** The status and REST body for an error ({@link failureOf}); a 500 carries no internals. */
export function errorResponse(error: unknown): { status: number; body: ErrorBody } {
  const { status, code, message, details } = failureOf(error)
  return { status, body: { error: { code, message, ...(details === undefined ? {} : { details }) } } }
}

/**
 * The REST API's error handler: every error in the REST shape through the one mapping
 * ({@link failureOf}). Unexpected errors are logged (error level), never returned; client
 * mistakes (4xx) are logged at debug level, sampled.
 */
export function errorHandler(logger: Logger, sampler = new LogSampler()): ErrorRequestHandler {
  return (error, request, response, _next) => {
    if (response.headersSent) {
      // Already answered (a streamed or partly sent response): never a second answer on the connection.
      logger.warn('Error after the response was sent', { method: request.method, path: request.path, error })
      return
    }
    const { status, body } = errorResponse(error)
    // A body left unread (refused before it was read: no key, too many uploads) is not drained
    // for keep-alive: the connection is closed instead, so nobody can make us read it.
    if (!request.complete) response.set('Connection', 'close')
    logFailure(logger, sampler, 'Request', request, { status, code: body.error.code }, error)
    response.status(status).json(body)
  }
}
