import type { Agent, SdJwtVcRecord } from '@credo-ts/core'
import type { OpenId4VciResolvedCredentialOffer, OpenId4VcModule } from '@credo-ts/openid4vc'
import type { ActivityLog } from '../activity/ActivityLog.js'
import type { BeginAuthorizationOptions } from '../authorization/AuthorizationCodeFlow.js'
import type { WalletCredential, WalletRecord } from '../credentials/WalletCredential.js'
import { HolderWalletError } from '../errors/HolderWalletError.js'
import { walletErrorOf } from '../errors/walletErrorOf.js'
import { notificationTicketOf, notifyEach } from '../notifications/issuerNotifications.js'
import type { TrustPolicy, TrustResult } from '../trust/TrustPolicy.js'
import { credentialBinding } from './credentialBinding.js'
import type { DeferredCredentials } from './DeferredCredentials.js'
import { type IssuanceHooks, OfferRedemption } from './OfferRedemption.js'
import { type AcceptOfferOptions, configurationsToRequest } from './offerChecks.js'
import { describeOffer, type ResolvedOffer } from './ResolvedOffer.js'
import {
  type CredentialContext,
  discardCredentials,
  distrust,
  type JudgedCredential,
  judgeCredentials,
  storeCredentials,
} from './receiveCredentials.js'

const MAX_REMEMBERED = 100

/**
 * Offers, step by step: {@link resolve} reads an offer and the issuer's metadata for the preview
 * screen; {@link accept} redeems it (token, credentials), judges the issuer of what arrives and
 * stores it; {@link decline} forgets it. Credentials of an untrusted issuer are refused (`refuse`
 * policy) or held until accepted with `acceptUntrusted` or declined (`ask`), never requested twice.
 */
export class OfferIssuance {
  private readonly offers = new Map<string, OpenId4VciResolvedCredentialOffer>()
  private readonly held = new Map<string, JudgedCredential[]>()
  private readonly redemption: OfferRedemption

  public constructor(
    private readonly agent: Agent<{ openid4vc: OpenId4VcModule }>,
    private readonly policy: TrustPolicy,
    private readonly activity: ActivityLog,
    private readonly deferred: DeferredCredentials,
    hooks: IssuanceHooks,
  ) {
    this.redemption = new OfferRedemption(agent, activity, hooks)
  }

  /** The agent as Credo's core API types it (the holder module's type narrows it). */
  private get core(): Agent {
    return this.agent as unknown as Agent
  }

  public async resolve(offerUri: string): Promise<ResolvedOffer> {
    const offer = await this.credoOffer(offerUri)
    const resolved = await describeOffer(this.core, this.policy, offerUri, offer)
    if (this.offers.size >= MAX_REMEMBERED) this.offers.delete(this.offers.keys().next().value as string)
    this.offers.set(resolved.id, offer)
    return resolved
  }

  /** The authorization URL of an authorization code offer, for the app to open in a browser (PAR, PKCE, DPoP). */
  public async beginAuthorization(resolved: ResolvedOffer, options: BeginAuthorizationOptions) {
    const offer = await this.offerOf(resolved)
    return this.redemption.begin(resolved, offer, options)
  }

  public async accept(resolved: ResolvedOffer, options: AcceptOfferOptions = {}): Promise<WalletCredential[]> {
    const held = this.held.get(resolved.id)
    if (held) return this.keep(resolved, held, options)
    const configurationIds = configurationsToRequest(resolved, options)
    const offer = await this.offerOf(resolved)
    const token = await this.redemption.redeem(resolved, offer, options)
    const sent = { keyAttestation: false }
    const { credentials, deferredCredentials } = await this.agent.openid4vc.holder
      .requestCredentials({
        resolvedCredentialOffer: offer,
        ...token,
        credentialConfigurationIds: configurationIds,
        credentialBindingResolver: credentialBinding(this.core, options, sent),
      })
      .catch((error: unknown) => {
        throw walletErrorOf(error, 'credential', { keyAttestationSent: sent.keyAttestation })
      })
    this.offers.delete(resolved.id)
    if (deferredCredentials.length > 0) {
      const contexts = Object.fromEntries(configurationIds.map((id) => [id, this.contextOf(resolved, id)]))
      await this.deferred.remember(resolved.issuer.credentialIssuer, deferredCredentials, token, {
        contexts,
        acceptUntrusted: options.acceptUntrusted === true,
      })
    }
    const received = credentials.map((credential) => {
      const record = credential.record as WalletRecord
      const notification = notificationTicketOf(offer, token, credential.notificationId)
      const context = this.contextOf(resolved, credential.credentialConfigurationId)
      return {
        record,
        context: {
          ...context,
          instancesReceived: record.credentialInstances.length,
          ...(notification ? { notification } : {}),
        },
      }
    })
    return this.keep(resolved, await judgeCredentials(this.policy, received), options)
  }

  private async offerOf(resolved: ResolvedOffer): Promise<OpenId4VciResolvedCredentialOffer> {
    return this.offers.get(resolved.id) ?? (await this.credoOffer(resolved.offerUri))
  }

  /** Drops the resolved offers and held credentials kept in memory (the wallet is being locked). */
  public forget(): void {
    this.redemption.forget()
    this.offers.clear()
    this.held.clear()
  }

  /** The holder said no: nothing is sent to the issuer (OID4VCI has no decline); held credentials are dropped. */
  public async decline(resolved: ResolvedOffer): Promise<void> {
    const held = this.held.get(resolved.id) ?? []
    await notifyEach(
      this.agent,
      held.map((entry) => entry.metadata.notification),
      'credential_deleted',
    )
    await discardCredentials(
      this.core,
      held.map((entry) => entry.record),
    )
    this.held.delete(resolved.id)
    this.offers.delete(resolved.id)
    await this.activity.record({
      type: 'offer_declined',
      party: resolved.issuer.credentialIssuer,
      offerDigest: resolved.id,
      ...this.partyName(resolved),
    })
  }

  /**
   * A deferred credential that has arrived: kept when its issuer is trusted, or untrusted under
   * `ask` after the holder accepted the offer with `acceptUntrusted`; refused otherwise (in the activity log).
   */
  public async receiveDeferred(
    record: SdJwtVcRecord,
    pending: { issuer: string; context?: CredentialContext; acceptUntrusted: boolean },
  ): Promise<WalletCredential | undefined> {
    const context = pending.context ?? {
      credentialIssuer: pending.issuer,
      display: [],
      issuerDisplay: [],
      claimDisplay: [],
    }
    const judged = await judgeCredentials(this.policy, [{ record, context }])
    const distrusted = distrust(judged)
    if (distrusted && (this.policy.mode === 'refuse' || !pending.acceptUntrusted)) {
      await discardCredentials(this.core, [record])
      await this.activity.record({
        type: 'credential_refused',
        party: pending.issuer,
        detail: distrusted.trusted ? undefined : distrusted.reason,
      })
      return undefined
    }
    const [stored] = await storeCredentials(this.core, judged)
    return stored
  }

  /** What the wallet keeps about a credential of configuration `id` of this offer. */
  private contextOf(resolved: ResolvedOffer, configurationId: string): CredentialContext {
    const offered = resolved.credentials.find((credential) => credential.configurationId === configurationId)
    return {
      credentialIssuer: resolved.issuer.credentialIssuer,
      credentialConfigurationId: configurationId,
      display: offered?.display ?? [],
      issuerDisplay: resolved.issuer.display,
      claimDisplay: offered?.claims ?? [],
    }
  }

  private partyName(resolved: ResolvedOffer) {
    const name = resolved.issuer.display.find((entry) => entry.name)?.name
    return name ? { partyName: name } : {}
  }

  /** Stores judged credentials, or refuses or holds them when their issuer is not trusted. */
  private async keep(resolved: ResolvedOffer, judged: JudgedCredential[], options: AcceptOfferOptions) {
    const distrusted = distrust(judged)
    if (distrusted) await this.untrusted(resolved, judged, distrusted, options)
    this.held.delete(resolved.id)
    const stored = await storeCredentials(this.core, judged)
    await notifyEach(
      this.agent,
      judged.map((entry) => entry.metadata.notification),
      'credential_accepted',
    )
    await this.activity.record({
      type: 'offer_accepted',
      party: resolved.issuer.credentialIssuer,
      credentialIds: stored.map((credential) => credential.id),
      offerDigest: resolved.id,
      ...this.partyName(resolved),
    })
    return stored
  }

  private async untrusted(
    resolved: ResolvedOffer,
    judged: JudgedCredential[],
    trust: TrustResult,
    options: AcceptOfferOptions,
  ): Promise<void> {
    const reason = trust.trusted ? '' : trust.reason
    if (this.policy.mode === 'refuse') {
      this.held.delete(resolved.id)
      await notifyEach(
        this.agent,
        judged.map((entry) => entry.metadata.notification),
        'credential_deleted',
      )
      await discardCredentials(
        this.core,
        judged.map((entry) => entry.record),
      )
      await this.activity.record({
        type: 'credential_refused',
        party: resolved.issuer.credentialIssuer,
        offerDigest: resolved.id,
        detail: reason,
        ...this.partyName(resolved),
      })
      throw new HolderWalletError('untrusted_issuer', `Refused: the wallet does not trust the issuer. ${reason}`, {
        details: { trust },
      })
    }
    if (options.acceptUntrusted) return
    this.held.set(resolved.id, judged)
    throw new HolderWalletError(
      'untrusted_issuer',
      `The wallet does not trust the issuer (${reason}): accept the offer again with { acceptUntrusted: true } to keep the credential, or decline it`,
      { details: { trust, held: true } },
    )
  }

  private async credoOffer(offerUri: string): Promise<OpenId4VciResolvedCredentialOffer> {
    try {
      return await this.agent.openid4vc.holder.resolveCredentialOffer(offerUri)
    } catch (error) {
      throw walletErrorOf(error, 'offer')
    }
  }
}
