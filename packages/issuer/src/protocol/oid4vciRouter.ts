import {
  type ProtocolEndpointEdge,
  protocolErrorHandler,
  rejectUnsafeProtocolInput,
  type WebhookService,
} from '@attesto/agent-runtime'
import type { Logger } from '@credo-ts/core'
import express, { type Request, type Response, Router } from 'express'
import type { AuthorizationServices } from '../authorization/AuthorizationServices.js'
import type { IssuanceSessionStore } from '../issuance/IssuanceSessionStore.js'
import type { IssuerDirectory, ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import type { CredentialStatusService } from '../status/CredentialStatusService.js'
import { authorizationCallback } from './authorizationCallback.js'
import { authorizationEndpoint } from './authorizationEndpoint.js'
import { credentialEndpoint, deferredCredentialEndpoint } from './credentialEndpoint.js'
import { dpopTokenCheck } from './dpop/dpopProofs.js'
import { type ExternalTokenSessions, ownServerRequired } from './externalAccessTokens.js'
import { issuanceEvents } from './issuanceEvents.js'
import { countedIssuance } from './issuanceMetrics.js'
import { authorizationServerMetadata, credentialIssuerMetadata } from './issuerMetadata.js'
import { cNonce } from './issuerTokens.js'
import { knownIssuer } from './knownIssuer.js'
import { notificationEndpoint, notificationRequestErrors } from './notificationEndpoint.js'
import { parEndpoint } from './parEndpoint.js'
import type { IssuerProtocolConfig } from './protocolConfig.js'
import type { SenderProofs } from './senderProofs.js'
import { tokenEndpoint } from './tokenEndpoint.js'

export interface Oid4vciRouterOptions {
  directory: IssuerDirectory
  sessions: IssuanceSessionStore
  config: IssuerProtocolConfig
  status?: CredentialStatusService
  accessTokenTtlSeconds: number
  webhooks?: WebhookService
  /** DPoP and wallet attestation checks (senderProofs.ts). */
  proofs: SenderProofs
  logger: Logger
  /** The authorization code flow (PAR, authorization endpoint, the provider's callback). */
  authorization?: AuthorizationServices
  /** Access tokens of tenants' external authorization servers (docs/AUTHORIZATION.md). */
  external?: ExternalTokenSessions
}

/** Rate-limit buckets and body types of the OID4VCI endpoints that do work (docs/SECURITY.md). */
export const OID4VCI_ENDPOINT_EDGES: ProtocolEndpointEdge[] = [
  { method: 'post', path: '/oid4vci/:issuerId/token', bucket: 'token', body: ['form'] },
  { method: 'post', path: '/oid4vci/:issuerId/par', bucket: 'token', body: ['form'] },
  { method: 'get', path: '/oid4vci/:issuerId/authorize', bucket: 'protocol' },
  { method: 'get', path: '/oid4vci/:issuerId/authorize/callback', bucket: 'protocol' },
  { method: 'post', path: '/oid4vci/:issuerId/nonce', bucket: 'protocol' },
  { method: 'post', path: '/oid4vci/:issuerId/credential', bucket: 'protocol', body: ['json'] },
  { method: 'post', path: '/oid4vci/:issuerId/deferred-credential', bucket: 'protocol', body: ['json'] },
  { method: 'post', path: '/oid4vci/:issuerId/notification', bucket: 'protocol', body: ['json'] },
]

/**
 * The issuer of the request's path, resolved once per request: the freshness headers resolve it
 * before the endpoint, which then reuses it (`response.locals`).
 */
async function issuerOfPath(directory: IssuerDirectory, request: Request, response: Response): Promise<ResolvedIssuer> {
  const resolved = response.locals.issuer as ResolvedIssuer | undefined
  if (resolved) return resolved
  const issuer = await knownIssuer(directory.get(request.params.issuerId as string))
  response.locals.issuer = issuer
  return issuer
}

type Handler = (issuer: ResolvedIssuer, request: Request) => Promise<{ status: number; body?: unknown } | object>

/**
 * An express handler for the issuer of the path: answers what `handler` returns, as JSON (a
 * `{ status, body }` result with its status; 204 without a body), `no-store` unless told otherwise.
 */
function answering(directory: IssuerDirectory, handler: Handler, noStore: boolean) {
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
 * The authorization code flow's endpoints (docs/AUTHORIZATION.md): PAR (form body, answered
 * JSON), then the authorization endpoint and the provider's callback, which answer redirects.
 */
function mountAuthorizationEndpoints(
  router: Router,
  directory: IssuerDirectory,
  services: AuthorizationServices,
  proofs: SenderProofs,
) {
  const redirecting =
    (
      endpoint: (
        issuer: ResolvedIssuer,
        request: Request,
        response: Response,
        s: AuthorizationServices,
      ) => Promise<void>,
    ) =>
    async (request: Request, response: Response) => {
      response.set('Cache-Control', 'no-store')
      await endpoint(await issuerOfPath(directory, request, response), request, response, services)
    }
  router.post(
    '/oid4vci/:issuerId/par',
    express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 30 }),
    rejectUnsafeProtocolInput,
    freshnessHeaders(directory, proofs, true),
    answering(
      directory,
      (issuer, request) => {
        ownServerRequired(issuer, 'invalid_request')
        return parEndpoint(issuer, request, services, proofs)
      },
      true,
    ),
  )
  router.get('/oid4vci/:issuerId/authorize', rejectUnsafeProtocolInput, redirecting(authorizationEndpoint))
  router.get('/oid4vci/:issuerId/authorize/callback', rejectUnsafeProtocolInput, redirecting(authorizationCallback))
}

/**
 * Hands out the issuer's current DPoP nonce in `DPoP-Nonce` on every answer of the endpoints a
 * DPoP proof may come to (RFC 9449 §8.2), and at the token endpoint the current attestation
 * challenge in `OAuth-Client-Attestation-Challenge` (draft -07 §8.1): one cached value per window.
 */
function freshnessHeaders(directory: IssuerDirectory, proofs: SenderProofs, challenge = false) {
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

/** The credential issuer and authorisation server metadata, each under both well-known forms. */
function mountMetadata(router: Router, handle: (handler: Handler, noStore?: boolean) => express.RequestHandler) {
  const metadata = (build: (issuer: ResolvedIssuer) => object) => handle(async (issuer) => build(issuer), false)
  for (const [name, build] of [
    ['openid-credential-issuer', credentialIssuerMetadata],
    ['oauth-authorization-server', authorizationServerMetadata],
  ] as const) {
    router.get(`/.well-known/${name}/oid4vci/:issuerId`, rejectUnsafeProtocolInput, metadata(build))
    router.get(`/oid4vci/:issuerId/.well-known/${name}`, rejectUnsafeProtocolInput, metadata(build))
  }
}

/**
 * The OID4VCI endpoints (OID4VCI 1.0, pre-authorised code and authorization code flows), one
 * handler each: metadata (both well-known forms), PAR, authorization and its callback, token,
 * nonce, credential, deferred credential, notification.
 * Bodies are small and parsed here; errors are answered in the OAuth shape.
 */
export function oid4vciRouter(options: Oid4vciRouterOptions): { router: Router; close(): void } {
  const router = Router()
  const { onRedeemed, onIssued, onNotified } = issuanceEvents(options.webhooks)
  const endpoints = {
    sessions: options.sessions,
    config: options.config,
    directory: options.directory,
    status: options.status,
    dpop: dpopTokenCheck(options.proofs),
    walletProviders: options.proofs.walletProviders,
    ...(options.external ? { external: options.external } : {}),
  }
  const nonces = freshnessHeaders(options.directory, options.proofs)

  const handle = (handler: Handler, noStore = true) => answering(options.directory, handler, noStore)
  mountMetadata(router, handle)
  router.post(
    '/oid4vci/:issuerId/token',
    express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }),
    rejectUnsafeProtocolInput,
    freshnessHeaders(options.directory, options.proofs, true),
    handle(
      countedIssuance('token', (issuer, request) => {
        ownServerRequired(issuer, 'unsupported_grant_type')
        return tokenEndpoint(issuer, request, {
          ...endpoints,
          accessTokenTtlSeconds: options.accessTokenTtlSeconds,
          proofs: options.proofs,
          onRedeemed,
          ...(options.authorization ? { authorization: options.authorization } : {}),
        })
      }),
    ),
  )
  if (options.authorization)
    mountAuthorizationEndpoints(router, options.directory, options.authorization, options.proofs)
  router.post(
    '/oid4vci/:issuerId/nonce',
    rejectUnsafeProtocolInput,
    nonces,
    handle(async (issuer) => ({ c_nonce: await cNonce(issuer, options.config.cNonceTtlSeconds) })),
  )
  // A batch of 100 proofs (MAX_BATCH_SIZE) with their keys in the header takes about 75 KiB.
  const json = express.json({ limit: '128kb' })
  router.post(
    '/oid4vci/:issuerId/credential',
    json,
    rejectUnsafeProtocolInput,
    nonces,
    handle(
      countedIssuance('credential', (issuer, request) =>
        credentialEndpoint(issuer, request, { ...endpoints, onIssued }),
      ),
    ),
  )
  router.post(
    '/oid4vci/:issuerId/deferred-credential',
    json,
    rejectUnsafeProtocolInput,
    nonces,
    handle(
      countedIssuance('deferred_credential', (issuer, request) =>
        deferredCredentialEndpoint(issuer, request, { ...endpoints, onIssued }),
      ),
    ),
  )
  router.post(
    '/oid4vci/:issuerId/notification',
    json,
    rejectUnsafeProtocolInput,
    nonces,
    handle((issuer, request) => notificationEndpoint(issuer, request, { ...endpoints, onNotified })),
    notificationRequestErrors,
  )
  router.use('/oid4vci', protocolErrorHandler(options.logger))
  router.use('/.well-known', protocolErrorHandler(options.logger))
  return { router, close: () => options.proofs.replay.close() }
}
