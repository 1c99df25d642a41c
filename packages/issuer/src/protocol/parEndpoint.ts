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
import { parseAuthorizationRequest, requestUriOf } from './authorizationRequest.js'

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

/**
 * The pushed authorization request endpoint (RFC 9126; required: the authorization endpoint takes
 * nothing else). The request is checked (PKCE S256, redirect URI, one credential configuration by
 * scope or authorization details, an offer's `issuer_state`) and kept, with the storage's TTL, for
 * 60 s under the answered `request_uri`. Client authentication (wallet attestation, HAIP §4.4.1)
 * plugs in before the request is parsed.
 */
export async function parEndpoint(issuer: ResolvedIssuer, request: Request, services: AuthorizationServices) {
  const body = (request.body ?? {}) as Record<string, unknown>
  const provider = await identityProviderOf(issuer)
  const parsed = await parseAuthorizationRequest(issuer, body, services.offers)
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
