import type { Request, RequestHandler, Response } from 'express'
import type { IssuerDirectory, ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import { knownIssuer } from './knownIssuer.js'
import type { SenderProofs } from './senderProofs.js'

/**
 * The issuer of the request's path, resolved once per request: the freshness headers resolve it
 * before the endpoint, which then reuses it (`response.locals`).
 */
export async function issuerOfPath(
  directory: IssuerDirectory,
  request: Request,
  response: Response,
): Promise<ResolvedIssuer> {
  const resolved = response.locals.issuer as ResolvedIssuer | undefined
  if (resolved) return resolved
  const issuer = await knownIssuer(directory.get(request.params.issuerId as string))
  response.locals.issuer = issuer
  return issuer
}

/** An OID4VCI endpoint's work for the issuer of the path: its answer, or `{ status, body }`. */
export type IssuerHandler = (
  issuer: ResolvedIssuer,
  request: Request,
) => Promise<{ status: number; body?: unknown } | object>

/**
 * An express handler for the issuer of the path: answers what `handler` returns, as JSON (a
 * `{ status, body }` result with its status; 204 without a body), `no-store` unless told otherwise.
 */
export function answering(directory: IssuerDirectory, handler: IssuerHandler, noStore = true): RequestHandler {
  return async (request: Request, response: Response) => {
    const result = await handler(await issuerOfPath(directory, request, response), request)
    const answered = 'status' in result && ('body' in result || result.status === 204)
    const { status, body } = answered ? (result as { status: number; body?: unknown }) : { status: 200, body: result }
    if (noStore) response.set('Cache-Control', 'no-store')
    if (status === 204) response.status(204).end()
    else response.status(status).json(body)
  }
}

/**
 * Hands out the issuer's current DPoP nonce in `DPoP-Nonce` on every answer of the endpoints a
 * DPoP proof may come to (RFC 9449 §8.2), and at the token endpoint the current attestation
 * challenge in `OAuth-Client-Attestation-Challenge` (draft -07 §8.1): one cached value per window.
 */
export function freshnessHeaders(directory: IssuerDirectory, proofs: SenderProofs, challenge = false): RequestHandler {
  return async (request: Request, response: Response, next: (error?: unknown) => void) => {
    try {
      const issuer = await issuerOfPath(directory, request, response)
      response.set('DPoP-Nonce', await proofs.nonces.nonce(issuer, 'dpop'))
      if (challenge) {
        response.set('OAuth-Client-Attestation-Challenge', await proofs.nonces.nonce(issuer, 'attestation-challenge'))
      }
      next()
    } catch (error) {
      next(error)
    }
  }
}
