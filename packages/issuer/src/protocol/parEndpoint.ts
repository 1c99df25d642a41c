import { randomUUID } from 'node:crypto'
import { ProtocolError } from '@attesto/agent-runtime'
import type { Request } from 'express'
import type { AuthorizationServices } from '../authorization/AuthorizationServices.js'
import type { AuthorizationSession } from '../authorization/AuthorizationSession.js'
import {
  claimsSourceOf,
  IDENTITY_PROVIDER_ID,
  type IdentityProvider,
  identityProviders,
} from '../authorization/IdentityProvider.js'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import { attestedClientIs } from './authorizationCodeGrant.js'
import { parseAuthorizationRequest, requestUriOf } from './authorizationRequest.js'
import { senderOfRequest } from './senderOfRequest.js'
import type { SenderProofs } from './senderProofs.js'

/** The tenant's identity provider; `unauthorized_client` when the tenant has configured none. */
export async function identityProviderOf(issuer: ResolvedIssuer): Promise<IdentityProvider> {
  const provider = await identityProviders.find(issuer.tenantContext, IDENTITY_PROVIDER_ID)
  if (!provider) {
    throw new ProtocolError(
      400,
      'unauthorized_client',
      'This issuer offers no authorization code flow: its tenant has configured no identity provider',
    )
  }
  return provider
}

/** The key a code is bound to: the PAR's DPoP proof's, or `dpop_jkt` (RFC 9449 §10.1), which must then agree. */
function dpopKeyToBind(proven: string | undefined, named: unknown): string | undefined {
  if (named === undefined) return proven
  if (typeof named !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(named)) {
    throw new ProtocolError(400, 'invalid_request', 'dpop_jkt must be a base64url SHA-256 JWK thumbprint (RFC 7638)')
  }
  if (proven !== undefined && proven !== named) {
    throw new ProtocolError(400, 'invalid_dpop_proof', "dpop_jkt is not the thumbprint of the DPoP proof's key")
  }
  return named
}

/**
 * The pushed authorization request endpoint (RFC 9126; required: the authorization endpoint takes
 * nothing else). The request is checked (PKCE S256, redirect URI, one credential configuration by
 * scope or authorization details, an offer's `issuer_state`) and kept, with the storage's TTL, for
 * 60 s under the answered `request_uri`. The client authenticates here as at the token endpoint
 * (wallet attestation, HAIP §4.4.1, as the issuer requires), and a DPoP proof or `dpop_jkt` binds
 * the code to come to its key (RFC 9449 §10).
 */
export async function parEndpoint(
  issuer: ResolvedIssuer,
  request: Request,
  services: AuthorizationServices,
  proofs: SenderProofs,
) {
  const body = (request.body ?? {}) as Record<string, unknown>
  const sender = await senderOfRequest(issuer, request, proofs)
  const provider = await identityProviderOf(issuer)
  const parsed = await parseAuthorizationRequest(issuer, body, services.offers)
  attestedClientIs(sender, parsed.clientId)
  const dpopJkt = dpopKeyToBind(sender.jkt, body.dpop_jkt)
  if (!parsed.offer && !claimsSourceOf(provider, issuer.profile.issuerId, parsed.configuration.id)) {
    throw new ProtocolError(
      400,
      parsed.requestedBy === 'scope' ? 'invalid_scope' : 'invalid_authorization_details',
      `'${parsed.configuration.id}' is issued on an offer only: send its issuer_state`,
    )
  }
  const sessionId = randomUUID()
  const ttl = services.config.requestUriTtlSeconds
  const session: AuthorizationSession = {
    state: 'pushed',
    issuerId: issuer.profile.issuerId,
    clientId: parsed.clientId,
    redirectUri: parsed.redirectUri,
    codeChallenge: parsed.codeChallenge,
    ...(dpopJkt ? { dpopJkt } : {}),
    ...(parsed.walletState !== undefined ? { walletState: parsed.walletState } : {}),
    configurationId: parsed.configuration.id,
    requestedBy: parsed.requestedBy,
    ...(parsed.scope ? { scope: parsed.scope } : {}),
    ...(parsed.offer ? { offerId: parsed.offer.offerId, offerSecretHash: parsed.offer.secretHash } : {}),
    expiresAt: Date.now() + ttl * 1000,
    createdAt: new Date().toISOString(),
  }
  await services.sessions.create(issuer.tenantId, sessionId, session)
  return { status: 201, body: { request_uri: requestUriOf(sessionId), expires_in: ttl } }
}
