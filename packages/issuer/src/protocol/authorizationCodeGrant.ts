import { ProtocolError } from '@attesto/agent-runtime'
import { z } from 'zod'
import type { AuthorizationServices } from '../authorization/AuthorizationServices.js'
import { splitSessionSecret } from '../authorization/AuthorizationSession.js'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import { s256 } from './authorizationRequest.js'
import { accessToken, cNonce, type TokenSender } from './issuerTokens.js'
import type { IssuerProtocolConfig } from './protocolConfig.js'

/** The token request of the authorization code grant (RFC 6749 §4.1.3, RFC 7636 §4.5). */
export const authorizationCodeTokenRequest = z.object({
  grant_type: z.literal('authorization_code'),
  code: z.string().min(1).max(200),
  redirect_uri: z.string().min(1).max(2000),
  code_verifier: z.string().min(1).max(200),
  // Optional for a client that authenticates (RFC 6749 §4.1.3): a wallet attestation's `sub` names it.
  client_id: z.string().min(1).max(200).optional(),
})

export type AuthorizationCodeTokenRequest = z.output<typeof authorizationCodeTokenRequest>

/** The client of a token request: the `client_id` it names, else the client its wallet attestation authenticated. */
function clientOf(sender: TokenSender, clientId: string | undefined): string {
  const client = clientId ?? sender.client?.clientId
  if (!client) {
    throw new ProtocolError(
      400,
      'invalid_request',
      'client_id is required unless the client sends a wallet attestation',
    )
  }
  attestedClientIs(sender, client)
  return client
}

export interface AuthorizationGrantOptions {
  authorization: AuthorizationServices
  config: IssuerProtocolConfig
  accessTokenTtlSeconds: number
  onRedeemed(issuer: ResolvedIssuer, offerId: string): void
}

const invalidGrant = (description: string) => new ProtocolError(400, 'invalid_grant', description)

/** A client that authenticated with a wallet attestation is the client the request names (draft -07 §5.1: its `sub`). */
export function attestedClientIs(sender: TokenSender, clientId: string): void {
  if (sender.client && sender.client.clientId !== clientId) {
    throw new ProtocolError(
      400,
      'invalid_client',
      `client_id '${clientId}' is not the client of the wallet attestation`,
    )
  }
}

/** Why a code with a known session was not redeemed (a read, on the refused path only). */
async function refusal(
  issuer: ResolvedIssuer,
  sessionId: string,
  input: AuthorizationCodeTokenRequest & { client_id: string },
  challenge: string,
  jkt: string | undefined,
  options: AuthorizationGrantOptions,
) {
  const session = await options.authorization.sessions.find(issuer.tenantId, sessionId)
  if (!session || session.state !== 'code_issued' || session.expiresAt <= Date.now()) {
    return invalidGrant('The authorization code is unknown, used or expired')
  }
  if (session.clientId !== input.client_id) return invalidGrant('The authorization code was issued to another client')
  if (session.redirectUri !== input.redirect_uri)
    return invalidGrant('redirect_uri is not the one of the authorization request')
  if (session.codeChallenge !== challenge) return invalidGrant('code_verifier does not match the code_challenge (PKCE)')
  if (session.dpopJkt !== undefined && session.dpopJkt !== jkt) {
    return invalidGrant('The authorization code is bound to the DPoP key of the authorization request: prove that key')
  }
  return invalidGrant('The authorization code is unknown, used or expired')
}

/**
 * The token response both grants of this flow answer: an access token for the offer (bound to the
 * sender's DPoP key when it proved one, then of type DPoP), a rotated refresh token.
 */
async function tokenResponse(
  issuer: ResolvedIssuer,
  sender: TokenSender,
  grant: { offerId: string; configurationId: string; refreshToken: string },
  options: AuthorizationGrantOptions,
) {
  const ttl = options.accessTokenTtlSeconds
  const { offerId, configurationId, refreshToken } = grant
  const [token, nonce] = await Promise.all([
    accessToken(issuer, offerId, ttl, sender),
    cNonce(issuer, options.config.cNonceTtlSeconds),
  ])
  return {
    access_token: token,
    token_type: sender.jkt ? 'DPoP' : 'Bearer',
    expires_in: ttl,
    refresh_token: refreshToken,
    // OID4VCI 1.0 §6.2: the configuration as a credential identifier (one per authorization).
    authorization_details: [
      {
        type: 'openid_credential',
        credential_configuration_id: configurationId,
        credential_identifiers: [configurationId],
      },
    ],
    c_nonce: nonce,
    c_nonce_expires_in: options.config.cNonceTtlSeconds,
  }
}

/**
 * The `authorization_code` grant (RFC 6749 §4.1.3): the code is redeemed once, across instances,
 * in one conditional statement that also checks its 60 s, the client, the exact redirect URI and
 * the PKCE verifier (RFC 7636 §4.6), so a wrong attempt does not burn it. The access token names
 * the offer the login bound or made, as a pre-authorised code's does; a refresh token family
 * starts. The sender (its wallet attestation and DPoP proof, checked by the token endpoint) must
 * be the client the code was issued to and prove the DPoP key the code was bound to at PAR; the
 * tokens are bound to its keys.
 */
export async function authorizationCodeGrant(
  issuer: ResolvedIssuer,
  sender: TokenSender,
  request: AuthorizationCodeTokenRequest,
  options: AuthorizationGrantOptions,
) {
  const input = { ...request, client_id: clientOf(sender, request.client_id) }
  const code = splitSessionSecret(input.code)
  if (!code) throw invalidGrant('The authorization code is unknown, used or expired')
  const challenge = s256(input.code_verifier)
  if (!challenge)
    throw new ProtocolError(
      400,
      'invalid_request',
      'code_verifier must be 43 to 128 unreserved characters (RFC 7636 §4.1)',
    )
  const { sessions, families } = options.authorization
  const session = await sessions.redeemCode(issuer.tenantId, code.sessionId, {
    secret: code.secret,
    clientId: input.client_id,
    redirectUri: input.redirect_uri,
    codeChallenge: challenge,
    dpopJkt: sender.jkt,
  })
  if (!session || session.issuerId !== issuer.profile.issuerId || !session.offerId) {
    throw await refusal(issuer, code.sessionId, input, challenge, sender.jkt, options)
  }
  options.onRedeemed(issuer, session.offerId)
  const refreshToken = await families.start(issuer.tenantId, {
    issuerId: issuer.profile.issuerId,
    offerId: session.offerId,
    clientId: session.clientId,
    configurationId: session.configurationId,
    ...(sender.jkt ? { jkt: sender.jkt } : {}),
    ...(sender.client ? { instanceJkt: sender.client.instanceJkt } : {}),
  })
  const grant = { offerId: session.offerId, configurationId: session.configurationId, refreshToken }
  return tokenResponse(issuer, sender, grant, options)
}

/**
 * The `refresh_token` grant for tokens of this flow (`rt.…`): each refresh answers a new refresh
 * token; presenting a rotated one again revokes the whole family (RFC 9700 §4.14.2). The client
 * must be the one the code was issued to, proving the DPoP key and wallet instance key the family
 * is bound to (a token presented without them is unknown: it rotates nothing).
 */
export async function rotatingRefreshGrant(
  issuer: ResolvedIssuer,
  sender: TokenSender,
  input: { refresh_token: string; client_id?: string | undefined },
  options: AuthorizationGrantOptions,
) {
  const clientId = clientOf(sender, input.client_id)
  const rotation = await options.authorization.families.rotate(issuer.tenantId, input.refresh_token, clientId, {
    jkt: sender.jkt,
    instanceJkt: sender.client?.instanceJkt,
  })
  if (rotation.outcome === 'reused') {
    throw invalidGrant('This refresh token was used already: every token of its authorization is revoked')
  }
  if (rotation.outcome !== 'rotated' || rotation.family.issuerId !== issuer.profile.issuerId) {
    throw invalidGrant('The refresh token is unknown, revoked or expired')
  }
  const offer = await options.authorization.offers.find(issuer.tenantId, rotation.family.offerId)
  if (!offer || offer.state === 'failed' || offer.state === 'cancelled') {
    throw invalidGrant('The refresh token is no longer valid for this offer')
  }
  const { offerId, configurationId } = rotation.family
  return tokenResponse(issuer, sender, { offerId, configurationId, refreshToken: rotation.refreshToken }, options)
}

/** The grant's options from the token endpoint's; `unsupported_grant_type` where the flow is not mounted. */
export function authorizationGrantOptions(
  options: Omit<AuthorizationGrantOptions, 'authorization'> & { authorization?: AuthorizationServices },
): AuthorizationGrantOptions {
  const { authorization } = options
  if (!authorization)
    throw new ProtocolError(400, 'unsupported_grant_type', "Grant type 'authorization_code' is not supported")
  return { ...options, authorization }
}
