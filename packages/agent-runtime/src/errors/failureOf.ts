import { KmsUnavailableError } from '@attesto/kms-adapter'
import { DomainError, type ErrorKind } from '@attesto/protocol-kit'
import { StorageUnavailableError } from '@attesto/storage-service'
import { RecordNotFoundError } from '@credo-ts/core'
import { ZodError } from 'zod'

/**
 * An error as the services answer it, in both shapes: the REST one (`{ error: { code, message,
 * details } }`) and the OAuth one of the protocol endpoints (`{ error, error_description }`,
 * RFC 6749 §5.2). A 5xx carries no internals in either.
 */
export interface Failure {
  status: number
  code: string
  message: string
  details?: unknown
  oauth: { error: string; description: string }
}

/** The HTTP status of each kind of domain failure. */
export const KIND_STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  too_many_requests: 429,
  unavailable: 503,
  internal: 500,
}

const UNAVAILABLE = { error: 'temporarily_unavailable', description: 'A backing service is unavailable; retry later' }
/** A client's mistake other than malformed input, on a protocol endpoint: the OAuth answer names no internals. */
const INVALID = { error: 'invalid_request', description: 'Invalid request' }

/** A zod issue as a person reads it; unknown fields are named (`unknown field 'colour'`). */
function issueMessage(issue: ZodError['issues'][number]): string {
  if (issue.code !== 'unrecognized_keys') return issue.message
  const names = issue.keys.map((key) => `'${key}'`).join(', ')
  return `unknown field${issue.keys.length > 1 ? 's' : ''} ${names}: remove ${issue.keys.length > 1 ? 'them' : 'it'}`
}

function invalidInput(error: ZodError): Failure {
  const details = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issueMessage(issue) }))
  const first = details[0]
  const firstIssue = error.issues[0]
  return {
    status: 400,
    code: 'invalid_request',
    message: first ? `${first.path || 'body'}: ${first.message}` : 'Invalid request',
    details,
    oauth: {
      error: 'invalid_request',
      description: firstIssue ? `${firstIssue.path.join('.') || 'body'}: ${firstIssue.message}` : 'Invalid request',
    },
  }
}

function domainFailure(status: number, code: string, message: string, details: unknown): Failure {
  const oauth =
    status === 503 ? UNAVAILABLE : status >= 500 ? { error: 'server_error', description: 'Internal error' } : INVALID
  return { status, code, message, ...(details === undefined ? {} : { details }), oauth }
}

const readable = (status: number, code: string, message: string, oauth: Failure['oauth']): Failure => ({
  status,
  code,
  message,
  oauth,
})

/**
 * The one mapping from an error to its answer, whatever threw it: a domain error (its catalog
 * code, the status of its kind), invalid input (zod), a body that could not be parsed or is too
 * large, the HTTP layer's own client errors, a record not found, an unavailable storage or KMS
 * (503), and anything else (500, described to nobody).
 */
export function failureOf(error: unknown): Failure {
  if (error instanceof DomainError)
    return domainFailure(KIND_STATUS[error.kind], error.code, error.message, error.details)
  if (error instanceof ZodError) return invalidInput(error)
  const type = (error as { type?: string } | null)?.type
  if (type === 'entity.parse.failed') {
    return readable(400, 'invalid_json', 'The request body is not valid JSON', {
      error: 'invalid_request',
      description: 'The request body could not be parsed',
    })
  }
  if (type === 'entity.too.large') {
    const message = 'The request body is too large'
    return readable(413, 'payload_too_large', message, { error: 'invalid_request', description: message })
  }
  const status = (error as { status?: unknown } | null)?.status
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // body-parser and the router's own client errors (bad charset, aborted body, bad percent-encoding).
    return readable(status, 'invalid_request', 'The request could not be read', INVALID)
  }
  if (error instanceof RecordNotFoundError) return readable(404, 'not_found', 'Not found', INVALID)
  if (error instanceof StorageUnavailableError || error instanceof KmsUnavailableError || status === 503) {
    return readable(503, 'dependency_unavailable', 'A backing service is unavailable; retry later', UNAVAILABLE)
  }
  return readable(500, 'internal_error', 'Internal error', { error: 'server_error', description: 'Internal error' })
}
