import type { RequestHandler } from 'express'
import { sendEdgeError } from './edgeError.js'

/** Media types a body may have: JSON (`application/json`, what the JSON parsers read), HTML form, CSV. */
export type BodyType = 'json' | 'form' | 'csv'

const MEDIA_TYPES: Record<BodyType, string[]> = {
  json: ['application/json'],
  form: ['application/x-www-form-urlencoded'],
  csv: ['text/csv'],
}

/**
 * Refuses a request whose body is not of one of `types` with `415 unsupported_media_type` (before
 * any of it is read). Requests without a body or with an empty one pass: their handlers decide
 * whether they need one.
 */
export function requireBodyType(types: BodyType[]): RequestHandler {
  const mediaTypes = types.flatMap((type) => MEDIA_TYPES[type])
  const expected = mediaTypes.join(' or ')
  return (request, response, next) => {
    // An empty body (`Content-Length: 0`, as fetch sends on a bare POST) is no body.
    if (request.headers['content-length'] === '0' || request.is(mediaTypes) !== false) return next()
    sendEdgeError(
      request,
      response,
      415,
      'unsupported_media_type',
      `Send the body as ${expected} (Content-Type: ${request.headers['content-type'] ?? 'none'})`,
    )
  }
}

/**
 * The REST API's bodies: JSON, and CSV as well on `csvPaths` (bulk uploads, streamed by their
 * routes). Only methods that carry a body are checked.
 */
export function requireRestBodyType(csvPaths: readonly string[]): RequestHandler {
  const json = requireBodyType(['json'])
  const jsonOrCsv = requireBodyType(['json', 'csv'])
  const csv = new Set(csvPaths)
  return (request, response, next) => {
    if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return next()
    return (csv.has(request.path) ? jsonOrCsv : json)(request, response, next)
  }
}
