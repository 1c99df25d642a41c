import {
  type Operation,
  operation,
  ProtocolError,
  protocolErrorHandler,
  rejectUnsafeProtocolInput,
  routerOf,
} from '@attesto/agent-runtime'
import type { StatusListTokenResolver } from '@attesto/did-cache'
import type { Logger } from '@credo-ts/core'
import express, { type Request, type Response, type Router } from 'express'
import type { VerificationSessions } from '../verification/VerificationSessions.js'
import type { PresentationDecided } from '../webhooks/verifierWebhooks.js'
import { acceptAuthorizationResponse } from './acceptAuthorizationResponse.js'
import { requestSignerHeader } from './clientIdentifier.js'
import { signRequestObject } from './requestObject.js'
import { requestUriPost } from './requestUriPost.js'
import type { ResolvedVerifier, VerifierDirectory } from './VerifierDirectory.js'

export interface ProtocolRoutesOptions {
  baseUrl: string
  directory: VerifierDirectory
  sessions: VerificationSessions
  decided: PresentationDecided
  statusLists: StatusListTokenResolver
  statusUnavailable: 'reject' | 'accept'
  logger: Logger
}

const notFound = () => new ProtocolError(404, 'invalid_request', 'No such open request')

/**
 * The verifier's profile as it must be to sign for `clientId`: read again when this instance's copy
 * lacks what the request needs (the verifier's response-encryption key of a request made before
 * per-request keys, or the certificate of an X.509 client
 * identifier, added through another instance); a request whose certificate has since been replaced
 * or removed cannot be signed for any more.
 */
async function signingProfile(
  directory: VerifierDirectory,
  resolved: ResolvedVerifier,
  clientId: string,
  encrypted: boolean,
) {
  let { profile } = resolved
  if (!requestSignerHeader(profile, clientId) || (encrypted && !profile.encryptionKey)) {
    directory.forget(profile.verifierId)
    profile = (await directory.resolve(profile.verifierId))?.profile ?? profile
  }
  const signer = requestSignerHeader(profile, clientId)
  if (!signer) {
    throw new ProtocolError(
      400,
      'invalid_request',
      "The verifier's certificate changed since this request was made: the verifier must make a new request",
    )
  }
  return { profile, signer }
}

/** Answers the signed request object of an open request; `post` reads the wallet's POST body (§5.10). */
async function answerRequestObject(
  options: ProtocolRoutesOptions,
  request: Request,
  response: Response,
  post: boolean,
) {
  const { verifierId, requestId } = request.params as { verifierId: string; requestId: string }
  const resolved = await options.directory.resolve(verifierId)
  if (!resolved) throw notFound()
  const session = await options.sessions.find(resolved.tenantContext.contextCorrelationId, requestId)
  if (!session || session.verifierId !== verifierId || session.state !== 'pending') throw notFound()
  if (Date.now() >= session.expiresAt) {
    throw new ProtocolError(400, 'invalid_request', 'request_expired: The request has expired')
  }
  const fromWallet = post ? requestUriPost(request.body, session) : {}
  // Only a request made before per-request keys is encrypted to its verifier's key.
  const encrypted = session.responseMode === 'direct_post.jwt' && !session.responseKey
  const { profile, signer } = await signingProfile(options.directory, resolved, session.clientId, encrypted)
  const jwt = await signRequestObject(resolved.tenantContext, profile, requestId, session, options.baseUrl, {
    signer,
    ...fromWallet,
  })
  response.status(200).type('application/oauth-authz-req+jwt').set('Cache-Control', 'no-store').send(jwt)
}

export const getRequestObject = operation({
  method: 'get',
  path: '/oid4vp/{verifierId}/authorization-requests/{requestId}',
  operationId: 'getRequestObject',
  responses: {},
  edge: { bucket: 'protocol' },
  undocumented: 'OpenID4VP 1.0 §5.10 (request_uri: the signed request object, RFC 9101 §5.2)',
})

export const postRequestObject = operation({
  method: 'post',
  path: '/oid4vp/{verifierId}/authorization-requests/{requestId}',
  operationId: 'postRequestObject',
  responses: {},
  edge: { bucket: 'protocol', bodyTypes: ['form'] },
  undocumented: "OpenID4VP 1.0 §5.10 (request_uri_method=post: the wallet's metadata and nonce)",
})

export const postAuthorizationResponse = operation({
  method: 'post',
  path: '/oid4vp/{verifierId}/authorize',
  operationId: 'postAuthorizationResponse',
  responses: {},
  edge: { bucket: 'protocol', bodyTypes: ['form', 'json'] },
  undocumented: 'OpenID4VP 1.0 §8.2 (response mode direct_post, and direct_post.jwt of §8.3)',
})

/**
 * Every OID4VP endpoint, declared once beside its handler: the router mounts them and the public
 * edge puts their rate-limit buckets and body types in front of them (`protectProtocolEndpoints`,
 * docs/SECURITY.md).
 */
export const OID4VP_OPERATIONS: readonly Operation[] = [getRequestObject, postRequestObject, postAuthorizationResponse]

/**
 * The OID4VP 1.0 endpoints, under `/oid4vp/{verifierId}`: the signed request object (`GET
 * authorization-requests/{requestId}`, one SELECT; `POST` there with the wallet's metadata and
 * nonce when the request offers `request_uri_method=post`) and the response (`POST authorize`,
 * one SELECT and one UPDATE). Errors are OAuth-shaped.
 */
export function protocolRoutes(options: ProtocolRoutesOptions): Router {
  const router = routerOf([
    getRequestObject.handle([
      rejectUnsafeProtocolInput,
      (request, response) => answerRequestObject(options, request, response, false),
    ]),
    postRequestObject.handle([
      express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 50 }),
      rejectUnsafeProtocolInput,
      (request, response) => answerRequestObject(options, request, response, true),
    ]),
    postAuthorizationResponse.handle([
      express.urlencoded({ extended: false, limit: '1mb' }),
      express.json({ limit: '1mb' }),
      rejectUnsafeProtocolInput,
      async (request, response) => {
        const body = request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {}
        // OID4VP 1.0 §8.2: 200 with a JSON object; `redirect_uri` (with the response code) in the same-device flow.
        const answer = await acceptAuthorizationResponse(options, request.params.verifierId as string, body)
        response.status(200).set('Cache-Control', 'no-store').json(answer)
      },
    ]),
  ])
  router.use('/oid4vp', protocolErrorHandler(options.logger))
  return router
}
