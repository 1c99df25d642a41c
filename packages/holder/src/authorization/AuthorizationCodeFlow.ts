import type { Agent } from '@credo-ts/core'
import type {
  OpenId4VciDpopRequestOptions,
  OpenId4VciRequestTokenResponse,
  OpenId4VciResolvedCredentialOffer,
  OpenId4VcModule,
} from '@credo-ts/openid4vc'
import { Oauth2ServerErrorResponseError } from '@openid4vc/oauth2'
import { HolderWalletError } from '../errors/HolderWalletError.js'
import { walletErrorOf } from '../errors/walletErrorOf.js'
import type { CheckedAttestation } from './walletAttestation.js'

/** The `client_id` of a wallet that has no wallet attestation (a public client, PKCE only). */
export const DEFAULT_CLIENT_ID = 'attesto-holder'

export interface BeginAuthorizationOptions {
  /** Where the authorization server sends the browser back: the app's redirect URI (custom scheme or app link). */
  redirectUri: string
  /** The wallet's `client_id` at the authorization server (default: the wallet attestation's `sub`, else `attesto-holder`). */
  clientId?: string
}

export interface BeginAuthorizationReturn {
  /** Open this in a browser (system browser or in-app browser tab); the redirect to `redirectUri` comes back to `acceptOffer`. */
  authorizationUrl: string
}

/** What the wallet keeps between the pushed authorization request and the token request. */
interface PendingAuthorization {
  clientId: string
  redirectUri: string
  codeVerifier?: string
  /** The DPoP key of this issuance: the PAR proved it, the code is bound to it, the token and credential requests use it. */
  dpop?: OpenId4VciDpopRequestOptions
  attestation?: CheckedAttestation
}

/** A token and how it was obtained: what the credential and notification requests need. */
export type IssuanceToken = OpenId4VciRequestTokenResponse & { clientId?: string; walletAttestationJwt?: string }

const MAX_PENDING = 100

/** What this flow needs of a resolved offer: its id in the wallet and how it is redeemed. */
interface OfferToAuthorize {
  id: string
  grant: { type: string }
}

/**
 * The authorization code flow (OID4VCI 1.0 §3.4, HAIP): a pushed authorization request with PKCE
 * (S256) and, where the server takes it, a DPoP key made for this issuance and a wallet
 * attestation; the app opens the authorization URL in a browser and hands back the redirect;
 * the code is checked (RFC 9207 `iss`) and redeemed with the same DPoP key. Credo's holder sends
 * the requests (and retries once with the server's nonce on `use_dpop_nonce`).
 */
export class AuthorizationCodeFlow {
  private readonly pending = new Map<string, PendingAuthorization>()

  public constructor(private readonly agent: Agent<{ openid4vc: OpenId4VcModule }>) {}

  public async begin(
    resolved: OfferToAuthorize,
    offer: OpenId4VciResolvedCredentialOffer,
    options: BeginAuthorizationOptions,
    attestation?: CheckedAttestation,
  ): Promise<BeginAuthorizationReturn> {
    if (resolved.grant.type !== 'authorization_code') {
      throw new HolderWalletError('invalid_options', 'This offer has a pre-authorised code: accept it directly')
    }
    if (!options.redirectUri) throw new HolderWalletError('invalid_options', 'A redirectUri is required')
    const clientId = options.clientId ?? attestation?.clientId ?? DEFAULT_CLIENT_ID
    const authorization = await this.agent.openid4vc.holder
      .resolveOpenId4VciAuthorizationRequest(offer, {
        clientId,
        redirectUri: options.redirectUri,
        ...(attestation ? { walletAttestationJwt: attestation.jwt } : {}),
      })
      .catch((error: unknown) => {
        throw authorizationError(error)
      })
    if (authorization.authorizationFlow !== 'Oauth2Redirect') {
      throw new HolderWalletError(
        'unsupported_offer',
        'The issuer asks for a presentation during issuance, which this wallet does not support',
        {
          details: { authorizationFlow: authorization.authorizationFlow },
        },
      )
    }
    if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value as string)
    this.pending.set(resolved.id, {
      clientId,
      redirectUri: options.redirectUri,
      ...(authorization.codeVerifier ? { codeVerifier: authorization.codeVerifier } : {}),
      ...(authorization.dpop ? { dpop: authorization.dpop } : {}),
      ...(attestation ? { attestation } : {}),
    })
    return { authorizationUrl: authorization.authorizationRequestUrl }
  }

  /** Redeems the code of the redirect the browser came back with (`authorization_failed` for an error or a foreign `iss`). */
  public async token(
    resolved: OfferToAuthorize,
    offer: OpenId4VciResolvedCredentialOffer,
    authorizationResponse: string,
  ): Promise<IssuanceToken> {
    const pending = this.pending.get(resolved.id)
    if (!pending) {
      throw new HolderWalletError(
        'authorization_required',
        'Begin the authorization of this offer first (beginAuthorization)',
      )
    }
    const holder = this.agent.openid4vc.holder
    let code: string
    try {
      code = holder.parseAuthorizationCodeFromAuthorizationResponse({
        resolvedCredentialOffer: offer,
        authorizationResponseRedirectUrl: authorizationResponse,
      }).authorizationCode
    } catch (error) {
      throw authorizationError(error)
    }
    this.pending.delete(resolved.id)
    const walletAttestationJwt = pending.attestation?.jwt
    const token = await holder
      .requestToken({
        resolvedCredentialOffer: offer,
        code,
        clientId: pending.clientId,
        redirectUri: pending.redirectUri,
        ...(pending.codeVerifier ? { codeVerifier: pending.codeVerifier } : {}),
        ...(pending.dpop ? { dpop: pending.dpop } : {}),
        ...(walletAttestationJwt ? { walletAttestationJwt } : {}),
      })
      .catch((error: unknown) => {
        throw walletErrorOf(error, 'token')
      })
    return { ...token, clientId: pending.clientId, ...(walletAttestationJwt ? { walletAttestationJwt } : {}) }
  }

  public forget(): void {
    this.pending.clear()
  }
}

/** The authorization server's error, in the redirect or at PAR, as the app reacts to it. */
function authorizationError(error: unknown): HolderWalletError {
  if (error instanceof Oauth2ServerErrorResponseError) {
    const { error: code, error_description: description } = error.errorResponse
    return new HolderWalletError(
      'authorization_failed',
      `The authorization did not succeed: ${code}${description ? ` (${description.split('\n')[0]})` : ''}`,
      { cause: error, details: { error: code, errorDescription: description } },
    )
  }
  const mapped = walletErrorOf(error, 'token')
  if (mapped.code !== 'issuance_failed') return mapped
  return new HolderWalletError('authorization_failed', mapped.message, { cause: error, details: mapped.details })
}
