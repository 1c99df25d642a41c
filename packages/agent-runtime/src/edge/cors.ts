import type { NextFunction, RequestHandler, Response } from 'express'
import { isProtocolPath, sendEdgeError } from './edgeError.js'

const PROTOCOL_ALLOW_HEADERS =
  'Authorization, Content-Type, DPoP, OAuth-Client-Attestation, OAuth-Client-Attestation-PoP'
const REST_ALLOW_HEADERS = 'Authorization, Content-Type, Idempotency-Key'
const EXPOSE_HEADERS = 'Retry-After, WWW-Authenticate, Location, DPoP-Nonce, OAuth-Client-Attestation-Challenge'
const MAX_AGE_SECONDS = '600'

/**
 * Cross-origin access (docs/SECURITY.md, "CORS"):
 *
 * - Protocol paths (`/.well-known/*`, `/oid4vci/*` with the status lists, `/oid4vp/*`) are public
 *   by design: a browser wallet on any origin must read metadata, redeem an offer, fetch a request
 *   object, post a response and read a status list. They answer `Access-Control-Allow-Origin: *`
 *   and never allow credentials: no cookie or browser-held secret authorises anything here (a
 *   wallet proves itself with the pre-authorised code, the access token it sends itself, its
 *   proofs), so any origin gains nothing a non-browser client does not already have.
 * - The REST API (tenant and admin keys) allows no origin unless `CORS_ALLOWED_ORIGINS` names it:
 *   a management console on its own origin is the one legitimate browser caller. A preflight from
 *   another origin is refused with `403 cors_origin_not_allowed`; other requests get no
 *   `Access-Control-Allow-Origin`, so a browser hides the answer.
 */
export function cors(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins)
  return (request, response, next) => {
    const origin = request.headers.origin
    const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined
    if (isProtocolPath(request.path)) {
      response.set('Cross-Origin-Resource-Policy', 'cross-origin')
      if (origin === undefined) return next()
      return allow(response, next, '*', preflight, 'GET, POST', PROTOCOL_ALLOW_HEADERS)
    }
    response.vary('Origin')
    if (origin === undefined) return next()
    if (!allowed.has(origin)) {
      if (!preflight) return next()
      return sendEdgeError(
        request,
        response,
        403,
        'cors_origin_not_allowed',
        `Origin ${origin} may not call this API from a browser; add it to CORS_ALLOWED_ORIGINS`,
      )
    }
    allow(response, next, origin, preflight, 'GET, POST, PUT, PATCH, DELETE', REST_ALLOW_HEADERS)
  }
}

/**
 * Lets `origin` read the answer: an actual request goes on with the headers it may read exposed;
 * a preflight is answered here (204) with the methods and request headers allowed.
 */
function allow(
  response: Response,
  next: NextFunction,
  origin: string,
  preflight: boolean,
  methods: string,
  headers: string,
): void {
  response.set('Access-Control-Allow-Origin', origin)
  if (!preflight) {
    response.set('Access-Control-Expose-Headers', EXPOSE_HEADERS)
    next()
    return
  }
  response.set({
    'Access-Control-Allow-Methods': methods,
    'Access-Control-Allow-Headers': headers,
    'Access-Control-Max-Age': MAX_AGE_SECONDS,
  })
  response.status(204).end()
}
