import type { Agent } from '@credo-ts/core'
import type { OpenId4VciResolvedCredentialOffer, OpenId4VcModule } from '@credo-ts/openid4vc'
import type { ActivityLog } from '../activity/ActivityLog.js'
import {
  AuthorizationCodeFlow,
  type BeginAuthorizationOptions,
  type BeginAuthorizationReturn,
  type IssuanceToken,
} from '../authorization/AuthorizationCodeFlow.js'
import {
  type CheckedAttestation,
  type WalletAttestationHook,
  walletAttestationFor,
} from '../authorization/walletAttestation.js'
import { HolderWalletError } from '../errors/HolderWalletError.js'
import { walletErrorOf } from '../errors/walletErrorOf.js'
import type { AcceptOfferOptions } from './offerChecks.js'
import type { ResolvedOffer } from './ResolvedOffer.js'

/** What the app plugs into issuance (set on the wallet, read at each issuance). */
export interface IssuanceHooks {
  walletAttestation?: WalletAttestationHook
}

/**
 * How an offer becomes an access token: its pre-authorised code (with the transaction code), or
 * the code of the holder's login (the authorization code flow); with the app's wallet attestation
 * when it gives one.
 */
export class OfferRedemption {
  private readonly authorization: AuthorizationCodeFlow

  public constructor(
    private readonly agent: Agent<{ openid4vc: OpenId4VcModule }>,
    private readonly activity: ActivityLog,
    private readonly hooks: IssuanceHooks,
  ) {
    this.authorization = new AuthorizationCodeFlow(agent)
  }

  /** The authorization URL of an authorization code offer (PAR, PKCE, DPoP, attestation). */
  public async begin(
    resolved: ResolvedOffer,
    offer: OpenId4VciResolvedCredentialOffer,
    options: BeginAuthorizationOptions,
  ): Promise<BeginAuthorizationReturn> {
    return this.authorization.begin(resolved, offer, options, await this.attestation(resolved))
  }

  public forget(): void {
    this.authorization.forget()
  }

  /** The token: by the pre-authorised code (and transaction code), or by the code of the holder's login. */
  public async redeem(
    resolved: ResolvedOffer,
    offer: OpenId4VciResolvedCredentialOffer,
    options: AcceptOfferOptions,
  ): Promise<IssuanceToken> {
    if (resolved.grant.type === 'authorization_code') {
      return this.authorization.token(resolved, offer, options.authorizationResponse as string)
    }
    const attestation = await this.attestation(resolved)
    const token = await this.token(resolved, offer, options.txCode, attestation?.jwt)
    return {
      ...token,
      ...(attestation ? { clientId: attestation.clientId, walletAttestationJwt: attestation.jwt } : {}),
    }
  }

  /** The app's wallet attestation for this issuer, when the app gives attestations. */
  private async attestation(resolved: ResolvedOffer): Promise<CheckedAttestation | undefined> {
    const hook = this.hooks.walletAttestation
    return hook
      ? walletAttestationFor(this.agent as unknown as Agent, hook, resolved.issuer.credentialIssuer)
      : undefined
  }

  private async token(
    resolved: ResolvedOffer,
    offer: OpenId4VciResolvedCredentialOffer,
    txCode?: string,
    walletAttestationJwt?: string,
  ) {
    try {
      return await this.agent.openid4vc.holder.requestToken({
        resolvedCredentialOffer: offer,
        txCode,
        ...(walletAttestationJwt ? { walletAttestationJwt } : {}),
      })
    } catch (error) {
      const mapped = walletErrorOf(error, 'token')
      if (mapped.code !== 'offer_expired' || !(await this.activity.acceptedOffer(resolved.id))) throw mapped
      throw new HolderWalletError('offer_used', 'This wallet accepted this offer already', {
        cause: error,
        details: mapped.details,
      })
    }
  }
}
