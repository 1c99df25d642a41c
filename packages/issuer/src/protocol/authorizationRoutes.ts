import { type BoundRoute, operation, rejectUnsafeProtocolInput } from '@attesto/agent-runtime'
import express, { type Request, type Response } from 'express'
import type { AuthorizationServices } from '../authorization/AuthorizationServices.js'
import type { IssuerDirectory, ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import { authorizationCallback } from './authorizationCallback.js'
import { authorizationEndpoint } from './authorizationEndpoint.js'
import { ownServerRequired } from './externalAccessTokens.js'
import { answering, freshnessHeaders, issuerOfPath } from './oid4vciAnswers.js'
import { parEndpoint } from './parEndpoint.js'
import type { SenderProofs } from './senderProofs.js'

export const pushAuthorizationRequest = operation({
  method: 'post',
  path: '/oid4vci/{issuerId}/par',
  operationId: 'pushAuthorizationRequest',
  responses: {},
  edge: { bucket: 'token', bodyTypes: ['form'] },
  undocumented: 'RFC 9126 §2 (pushed authorization request), as OpenID4VCI 1.0 §5 and HAIP 1.0 §4 use it',
})

export const authorize = operation({
  method: 'get',
  path: '/oid4vci/{issuerId}/authorize',
  operationId: 'authorize',
  responses: {},
  edge: { bucket: 'protocol' },
  undocumented: 'OpenID4VCI 1.0 §5 (authorization endpoint: RFC 6749 §4.1.1 with RFC 9126 §4)',
})

export const authorizationProviderCallback = operation({
  method: 'get',
  path: '/oid4vci/{issuerId}/authorize/callback',
  operationId: 'authorizationProviderCallback',
  responses: {},
  edge: { bucket: 'protocol' },
  undocumented:
    "OpenID Connect Core 1.0 §3.1.2.5 (the tenant's OpenID provider's authentication response, docs/AUTHORIZATION.md)",
})

export const AUTHORIZATION_OPERATIONS = [pushAuthorizationRequest, authorize, authorizationProviderCallback]

type RedirectingEndpoint = (
  issuer: ResolvedIssuer,
  request: Request,
  response: Response,
  services: AuthorizationServices,
) => Promise<void>

/**
 * The authorization code flow's endpoints (docs/AUTHORIZATION.md): PAR (form body, answered
 * JSON), then the authorization endpoint and the provider's callback, which answer redirects.
 */
export function authorizationRoutes(
  directory: IssuerDirectory,
  services: AuthorizationServices,
  proofs: SenderProofs,
): BoundRoute[] {
  const redirecting = (endpoint: RedirectingEndpoint) => async (request: Request, response: Response) => {
    response.set('Cache-Control', 'no-store')
    await endpoint(await issuerOfPath(directory, request, response), request, response, services)
  }
  return [
    pushAuthorizationRequest.handle([
      express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 30 }),
      rejectUnsafeProtocolInput,
      freshnessHeaders(directory, proofs, true),
      answering(directory, (issuer, request) => {
        ownServerRequired(issuer, 'invalid_request')
        return parEndpoint(issuer, request, services, proofs)
      }),
    ]),
    authorize.handle([rejectUnsafeProtocolInput, redirecting(authorizationEndpoint)]),
    authorizationProviderCallback.handle([rejectUnsafeProtocolInput, redirecting(authorizationCallback)]),
  ]
}
