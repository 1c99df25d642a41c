import type { ErrorCode } from '@attesto/protocol-kit'
import type { Request, Response } from 'express'

/** Paths of the OID4VCI/OID4VP endpoints, their metadata and the status lists (public, OAuth-shaped errors). */
export const PROTOCOL_PATH_PREFIXES = ['/oid4vci', '/oid4vp', '/.well-known'] as const

export function isProtocolPath(path: string): boolean {
  return PROTOCOL_PATH_PREFIXES.some(
    (prefix) => path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47),
  )
}

/**
 * An edge refusal (not found, wrong method, wrong media type, too many requests, refused
 * origin) in the shape of the path's other errors: the OAuth shape (`{ error, error_description }`)
 * on protocol paths, the REST shape (`{ error: { code, message } }`) elsewhere. `no-store`, and
 * the connection closed when the body was left unread.
 */
export function sendEdgeError(
  request: Request,
  response: Response,
  status: number,
  code: ErrorCode,
  message: string,
  extra: Record<string, unknown> = {},
): void {
  if (!request.complete) response.set('Connection', 'close')
  response.status(status).set('Cache-Control', 'no-store')
  if (isProtocolPath(request.path)) response.json({ error: code, error_description: message, ...extra })
  else response.json({ error: { code, message } })
}
