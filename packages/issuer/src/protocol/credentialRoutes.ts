import { type BoundRoute, operation, rejectUnsafeProtocolInput } from '@attesto/agent-runtime'
import express from 'express'
import type { IssuerDirectory } from '../issuers/IssuerDirectory.js'
import type { IssuerEvents } from '../webhooks/issuerEvents.js'
import { type CredentialEndpointOptions, credentialEndpoint, deferredCredentialEndpoint } from './credentialEndpoint.js'
import { countedIssuance } from './issuanceMetrics.js'
import { cNonce } from './issuerTokens.js'
import { notificationEndpoint, notificationRequestErrors } from './notificationEndpoint.js'
import { answering, freshnessHeaders } from './oid4vciAnswers.js'
import type { SenderProofs } from './senderProofs.js'

export const requestNonce = operation({
  method: 'post',
  path: '/oid4vci/{issuerId}/nonce',
  operationId: 'requestNonce',
  responses: {},
  edge: { bucket: 'protocol' },
  undocumented: 'OpenID4VCI 1.0 §7 (nonce endpoint)',
})

export const requestCredential = operation({
  method: 'post',
  path: '/oid4vci/{issuerId}/credential',
  operationId: 'requestCredential',
  responses: {},
  edge: { bucket: 'protocol', bodyTypes: ['json'] },
  undocumented: 'OpenID4VCI 1.0 §8 (credential endpoint)',
})

export const requestDeferredCredential = operation({
  method: 'post',
  path: '/oid4vci/{issuerId}/deferred-credential',
  operationId: 'requestDeferredCredential',
  responses: {},
  edge: { bucket: 'protocol', bodyTypes: ['json'] },
  undocumented: 'OpenID4VCI 1.0 §9 (deferred credential endpoint)',
})

export const notifyIssuer = operation({
  method: 'post',
  path: '/oid4vci/{issuerId}/notification',
  operationId: 'notifyIssuer',
  responses: {},
  edge: { bucket: 'protocol', bodyTypes: ['json'] },
  undocumented: 'OpenID4VCI 1.0 §11 (notification endpoint)',
})

export const CREDENTIAL_OPERATIONS = [requestNonce, requestCredential, requestDeferredCredential, notifyIssuer]

export interface CredentialRoutesOptions {
  directory: IssuerDirectory
  proofs: SenderProofs
  cNonceTtlSeconds: number
  /** What the credential, deferred credential and notification endpoints read. */
  endpoints: Omit<CredentialEndpointOptions, 'onIssued'>
  events: IssuerEvents
}

/**
 * The endpoints a wallet calls with its access token, and the nonce endpoint before them: each
 * hands out the DPoP nonce; the credential and deferred credential requests are counted. Bodies
 * are small JSON: a batch of 100 proofs (MAX_BATCH_SIZE) with their keys in the header takes about
 * 75 KiB.
 */
export function credentialRoutes(options: CredentialRoutesOptions): BoundRoute[] {
  const { directory, endpoints } = options
  const { onIssued, onNotified } = options.events
  const nonces = freshnessHeaders(directory, options.proofs)
  const json = express.json({ limit: '128kb' })
  return [
    requestNonce.handle([
      rejectUnsafeProtocolInput,
      nonces,
      answering(directory, async (issuer) => ({ c_nonce: await cNonce(issuer, options.cNonceTtlSeconds) })),
    ]),
    requestCredential.handle([
      json,
      rejectUnsafeProtocolInput,
      nonces,
      answering(
        directory,
        countedIssuance('credential', (issuer, request) =>
          credentialEndpoint(issuer, request, { ...endpoints, onIssued }),
        ),
      ),
    ]),
    requestDeferredCredential.handle([
      json,
      rejectUnsafeProtocolInput,
      nonces,
      answering(
        directory,
        countedIssuance('deferred_credential', (issuer, request) =>
          deferredCredentialEndpoint(issuer, request, { ...endpoints, onIssued }),
        ),
      ),
    ]),
    notifyIssuer.handle(
      [
        json,
        rejectUnsafeProtocolInput,
        nonces,
        answering(directory, (issuer, request) => notificationEndpoint(issuer, request, { ...endpoints, onNotified })),
      ],
      // In the route's own stack, for its body's errors only.
      { errors: notificationRequestErrors },
    ),
  ]
}
