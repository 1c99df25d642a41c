import { ProtocolError } from '@attesto/agent-runtime'
import type { Request } from 'express'
import { z } from 'zod'
import type { AuthorizationServices } from '../authorization/AuthorizationServices.js'
import { isRotatingRefreshToken } from '../authorization/RefreshTokenFamilies.js'
import { type IssuanceSession, PRE_AUTHORIZED_CODE_GRANT, splitPreAuthorizedCode } from '../issuance/IssuanceSession.js'
import type { IssuanceSessionStore } from '../issuance/IssuanceSessionStore.js'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import {
  authorizationCodeGrant,
  authorizationCodeTokenRequest,
  authorizationGrantOptions,
  rotatingRefreshGrant,
} from './authorizationCodeGrant.js'
import { accessToken, cNonce, offerOfRefreshToken, refreshToken } from './issuerTokens.js'
import type { IssuerProtocolConfig } from './protocolConfig.js'
import { senderOfRequest } from './senderOfRequest.js'
import type { SenderProofs } from './senderProofs.js'

const tokenRequest = z.discriminatedUnion('grant_type', [
  z.object({
    grant_type: z.literal(PRE_AUTHORIZED_CODE_GRANT),
    'pre-authorized_code': z.string().min(1).max(200),
    tx_code: z.string().max(64).optional(),
  }),
  z.object({
    grant_type: z.literal('refresh_token'),
    refresh_token: z.string().min(1).max(4096),
    client_id: z.string().max(200).optional(),
  }),
  authorizationCodeTokenRequest,
])

export interface TokenEndpointOptions {
  sessions: IssuanceSessionStore
  config: IssuerProtocolConfig
  accessTokenTtlSeconds: number
  /** The DPoP and wallet attestation checks (senderOfRequest.ts). */
  proofs: SenderProofs
  /** Called once per redeemed offer (the `offer.accepted` event). */
  onRedeemed(issuer: ResolvedIssuer, offerId: string): void
  /** The authorization code flow (docs/AUTHORIZATION.md), when mounted. */
  authorization?: AuthorizationServices
}

function parse(body: unknown) {
  const parsed = tokenRequest.safeParse(body)
  if (parsed.success) return parsed.data
  const grant = (body as { grant_type?: unknown } | undefined)?.grant_type
  if (
    grant !== undefined &&
    grant !== PRE_AUTHORIZED_CODE_GRANT &&
    grant !== 'refresh_token' &&
    grant !== 'authorization_code'
  ) {
    throw new ProtocolError(400, 'unsupported_grant_type', `Grant type '${String(grant)}' is not supported`)
  }
  throw parsed.error
}

/**
 * The token endpoint (RFC 6749 §4.1.3, OID4VCI 1.0 §6): a pre-authorised code (with its
 * transaction code, if the offer has one) is redeemed once for an access token; deferred offers
 * also get a refresh token. Wrong transaction codes are counted in the offer's row, over all
 * instances; at `TX_CODE_MAX_ATTEMPTS` the code is dead (`invalid_grant`). A transaction code
 * missing where the offer has one, or sent where it has none, is `invalid_request` (OID4VCI 1.0
 * §6.3) and not counted: it guesses nothing.
 */
export async function tokenEndpoint(issuer: ResolvedIssuer, request: Request, options: TokenEndpointOptions) {
  const input = parse(request.body)
  const sender = await senderOfRequest(issuer, request, options.proofs)
  if (input.grant_type === 'authorization_code') {
    return authorizationCodeGrant(issuer, sender, input, authorizationGrantOptions(options))
  }
  if (input.grant_type === 'refresh_token' && isRotatingRefreshToken(input.refresh_token)) {
    return rotatingRefreshGrant(issuer, sender, input, authorizationGrantOptions(options))
  }
  let offerId: string
  let session: IssuanceSession | null
  if (input.grant_type === PRE_AUTHORIZED_CODE_GRANT) {
    const code = splitPreAuthorizedCode(input['pre-authorized_code'])
    if (!code) throw new ProtocolError(400, 'invalid_grant', 'Unknown pre-authorised code')
    const redemption = await options.sessions.redeem(
      issuer.tenantId,
      code.offerId,
      code.secret,
      input.tx_code || undefined, // an empty tx_code is none
      options.config.txCodeMaxAttempts,
    )
    if (redemption.outcome === 'unknown') {
      throw new ProtocolError(400, 'invalid_grant', 'The pre-authorised code is unknown, used, expired or revoked')
    }
    if (redemption.outcome === 'tx_code_required') {
      throw new ProtocolError(400, 'invalid_request', 'This offer requires a transaction code: send it as tx_code')
    }
    if (redemption.outcome === 'tx_code_unexpected') {
      throw new ProtocolError(400, 'invalid_request', 'This offer has no transaction code: send no tx_code')
    }
    if (redemption.outcome === 'wrong_tx_code') {
      throw new ProtocolError(
        400,
        'invalid_grant',
        redemption.attemptsLeft > 0
          ? `Wrong transaction code (tx_code); ${redemption.attemptsLeft} attempt(s) left`
          : 'Wrong transaction code (tx_code); no attempts left: the offer is void',
      )
    }
    offerId = code.offerId
    session = redemption.session
    options.onRedeemed(issuer, offerId)
  } else {
    offerId = offerOfRefreshToken(issuer, input.refresh_token, sender)
    session = await options.sessions.find(issuer.tenantId, offerId)
    if (!session || (session.state !== 'token_issued' && session.state !== 'credential_pending')) {
      throw new ProtocolError(400, 'invalid_grant', 'The refresh token is no longer valid for this offer')
    }
  }
  const ttl = options.accessTokenTtlSeconds
  const [token, nonce, refresh] = await Promise.all([
    accessToken(issuer, offerId, ttl, sender),
    cNonce(issuer, options.config.cNonceTtlSeconds),
    session.deferred ? refreshToken(issuer, offerId, 30 * 24 * 3600, sender) : undefined,
  ])
  return {
    access_token: token,
    token_type: sender.jkt ? 'DPoP' : 'Bearer',
    expires_in: ttl,
    ...(refresh ? { refresh_token: refresh } : {}),
    // Draft 13 wallets take their first nonce from here; 1.0 wallets use the nonce endpoint.
    c_nonce: nonce,
    c_nonce_expires_in: options.config.cNonceTtlSeconds,
  }
}
