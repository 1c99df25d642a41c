import { type Operation, protocolErrorHandler, routerOf, type WebhookService } from '@attesto/agent-runtime'
import type { Logger } from '@credo-ts/core'
import type { Router } from 'express'
import type { AuthorizationServices } from '../authorization/AuthorizationServices.js'
import type { IssuanceSessionStore } from '../issuance/IssuanceSessionStore.js'
import type { IssuerDirectory } from '../issuers/IssuerDirectory.js'
import type { CredentialStatusService } from '../status/CredentialStatusService.js'
import { issuerEvents } from '../webhooks/issuerEvents.js'
import { AUTHORIZATION_OPERATIONS, authorizationRoutes } from './authorizationRoutes.js'
import { CREDENTIAL_OPERATIONS, credentialRoutes } from './credentialRoutes.js'
import { dpopTokenCheck } from './dpop/dpopProofs.js'
import type { ExternalTokenSessions } from './externalAccessTokens.js'
import { getAuthorizationServerMetadata, getCredentialIssuerMetadata, metadataRoutes } from './metadataRoutes.js'
import type { IssuerProtocolConfig } from './protocolConfig.js'
import type { SenderProofs } from './senderProofs.js'
import { requestToken, tokenRoute } from './tokenRoute.js'

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

/**
 * Every OID4VCI endpoint, declared once beside its handler, in mounting order: the router mounts
 * them and the public edge puts their rate-limit buckets and body types in front of them
 * (`protectProtocolEndpoints`, docs/SECURITY.md). The authorization code flow's are protected
 * whether or not the flow is mounted.
 */
export const OID4VCI_OPERATIONS: readonly Operation[] = [
  ...getCredentialIssuerMetadata,
  ...getAuthorizationServerMetadata,
  requestToken,
  ...AUTHORIZATION_OPERATIONS,
  ...CREDENTIAL_OPERATIONS,
]

/**
 * The OID4VCI endpoints (OID4VCI 1.0, pre-authorised code and authorization code flows), one
 * handler each: metadata (both well-known forms), token, PAR, authorization and its callback,
 * nonce, credential, deferred credential, notification.
 * Bodies are small and parsed here; errors are answered in the OAuth shape.
 */
export function oid4vciRouter(options: Oid4vciRouterOptions): { router: Router; close(): void } {
  const { directory, proofs, authorization } = options
  const events = issuerEvents(options.webhooks)
  const endpoints = {
    sessions: options.sessions,
    config: options.config,
    directory,
    status: options.status,
    dpop: dpopTokenCheck(proofs),
    walletProviders: proofs.walletProviders,
    ...(options.external ? { external: options.external } : {}),
  }
  const router = routerOf([
    ...metadataRoutes(directory),
    tokenRoute(directory, {
      ...endpoints,
      accessTokenTtlSeconds: options.accessTokenTtlSeconds,
      proofs,
      onRedeemed: events.onRedeemed,
      ...(authorization ? { authorization } : {}),
    }),
    ...(authorization ? authorizationRoutes(directory, authorization, proofs) : []),
    ...credentialRoutes({
      directory,
      proofs,
      cNonceTtlSeconds: options.config.cNonceTtlSeconds,
      endpoints,
      events,
    }),
  ])
  router.use('/oid4vci', protocolErrorHandler(options.logger))
  router.use('/.well-known', protocolErrorHandler(options.logger))
  return { router, close: () => proofs.replay.close() }
}
