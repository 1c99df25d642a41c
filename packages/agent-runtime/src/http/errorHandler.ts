import { KmsUnavailableError } from '@attesto/kms-adapter'
import { CertificateChainError } from '@attesto/protocol-kit'
import { StorageUnavailableError } from '@attesto/storage-service'
import { type Logger, RecordNotFoundError } from '@credo-ts/core'
import type { ErrorRequestHandler } from 'express'
import { ZodError } from 'zod'
import { HttpError } from '../errors/HttpError.js'
import { LogSampler } from '../logging/LogSampler.js'

interface ErrorBody {
  error: { code: string; message: string; details?: unknown }
}

/** A zod issue as a person reads it; unknown fields are named (`unknown field 'colour'`). */
function issueMessage(issue: ZodError['issues'][number]): string {
  if (issue.code !== 'unrecognized_keys') return issue.message
  const names = issue.keys.map((key) => `'${key}'`).join(', ')
  return `unknown field${issue.keys.length > 1 ? 's' : ''} ${names}: remove ${issue.keys.length > 1 ? 'them' : 'it'}`
}

/** The status and body for an error; a 500 carries no internals. */
export function errorResponse(error: unknown): { status: number; body: ErrorBody } {
  const body = (code: string, message: string, details?: unknown): ErrorBody => ({
    error: { code, message, ...(details === undefined ? {} : { details }) },
  })
  if (error instanceof HttpError) return { status: error.status, body: body(error.code, error.message, error.details) }
  // A certificate or chain a client sent (an issuer's chain, a verifier's trust anchor): its stable code.
  if (error instanceof CertificateChainError) return { status: 400, body: body(error.code, error.message) }
  if (error instanceof ZodError) {
    const details = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issueMessage(issue) }))
    const first = details[0]
    return {
      status: 400,
      body: body('invalid_request', first ? `${first.path || 'body'}: ${first.message}` : 'Invalid request', details),
    }
  }
  if ((error as { type?: string } | null)?.type === 'entity.parse.failed') {
    return { status: 400, body: body('invalid_json', 'The request body is not valid JSON') }
  }
  if ((error as { type?: string } | null)?.type === 'entity.too.large') {
    return { status: 413, body: body('payload_too_large', 'The request body is too large') }
  }
  const clientStatus = (error as { status?: unknown } | null)?.status
  if (typeof clientStatus === 'number' && clientStatus >= 400 && clientStatus < 500) {
    // body-parser and the router's own client errors (bad charset, aborted body, bad percent-encoding).
    return { status: clientStatus, body: body('invalid_request', 'The request could not be read') }
  }
  if (error instanceof RecordNotFoundError) return { status: 404, body: body('not_found', 'Not found') }
  if (error instanceof StorageUnavailableError || error instanceof KmsUnavailableError) {
    return {
      status: 503,
      body: body('dependency_unavailable', 'A backing service is unavailable; retry later'),
    }
  }
  return { status: 500, body: body('internal_error', 'Internal error') }
}

/**
 * The one place errors become HTTP responses. Unexpected errors are logged (error level), never
 * returned; client mistakes (4xx) are not errors: they are logged at debug level. Both are sampled
 * per status and code (the first, then one line per 10 s with the count left out), so a flood of
 * requests cannot flood the log.
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
    sampler.sample(`${status} ${body.error.code}`, (suppressed) => {
      const data = { method: request.method, status, code: body.error.code, suppressed }
      // 503: a dependency is away, an expected answer (warn); other 5xx are failures (error).
      if (status === 503) logger.warn('Request answered 503', data)
      else if (status >= 500) logger.error('Request failed', { ...data, path: request.path, error })
      else logger.debug('Request refused', data)
    })
    response.status(status).json(body)
  }
}
