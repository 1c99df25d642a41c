import { type Agent, Kms, type SdJwtVcRecord } from '@credo-ts/core'
import type { OpenId4VciResolvedCredentialOffer, OpenId4VcModule } from '@credo-ts/openid4vc'
import type { ActivityLog } from '../activity/ActivityLog.js'
import type { WalletCredential } from '../credentials/WalletCredential.js'
import { HolderWalletError } from '../errors/HolderWalletError.js'
import { walletErrorOf } from '../errors/walletErrorOf.js'
import type { TrustPolicy, TrustResult } from '../trust/TrustPolicy.js'
import type { DeferredCredentials } from './DeferredCredentials.js'
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

  public constructor(
    private readonly agent: Agent<{ openid4vc: OpenId4VcModule }>,
    private readonly policy: TrustPolicy,
    private readonly activity: ActivityLog,
    private readonly deferred: DeferredCredentials,
  ) {}

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

  public async accept(resolved: ResolvedOffer, options: AcceptOfferOptions = {}): Promise<WalletCredential[]> {
    const held = this.held.get(resolved.id)
    if (held) return this.keep(resolved, held, options)
    const configurationIds = configurationsToRequest(resolved, options)
    const offer = this.offers.get(resolved.id) ?? (await this.credoOffer(resolved.offerUri))
    const holder = this.agent.openid4vc.holder
    const token = await this.token(resolved, offer, options.txCode)
    const { credentials, deferredCredentials } = await holder
      .requestCredentials({
        resolvedCredentialOffer: offer,
        ...token,
        credentialConfigurationIds: configurationIds,
        credentialBindingResolver: async () => {
          const key = await this.agent.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
          return { method: 'jwk', keys: [Kms.PublicJwk.fromPublicJwk(key.publicJwk)] }
        },
      })
      .catch((error: unknown) => {
        throw walletErrorOf(error, 'credential')
      })
    this.offers.delete(resolved.id)
    if (deferredCredentials.length > 0) {
      const contexts = Object.fromEntries(configurationIds.map((id) => [id, this.contextOf(resolved, id)]))
      await this.deferred.remember(resolved.issuer.credentialIssuer, deferredCredentials, token, {
        contexts,
        acceptUntrusted: options.acceptUntrusted === true,
      })
    }
    const received = credentials.map((credential) => ({
      record: credential.record as SdJwtVcRecord,
      context: this.contextOf(resolved, credential.credentialConfigurationId),
    }))
    return this.keep(resolved, await judgeCredentials(this.policy, received), options)
  }

  /** Drops the resolved offers and held credentials kept in memory (the wallet is being locked). */
  public forget(): void {
    this.offers.clear()
    this.held.clear()
  }

  /** The holder said no: nothing is sent to the issuer (OID4VCI has no decline); held credentials are dropped. */
  public async decline(resolved: ResolvedOffer): Promise<void> {
    const held = this.held.get(resolved.id) ?? []
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

  private async token(resolved: ResolvedOffer, offer: OpenId4VciResolvedCredentialOffer, txCode?: string) {
    try {
      return await this.agent.openid4vc.holder.requestToken({ resolvedCredentialOffer: offer, txCode })
    } catch (error) {
      const mapped = walletErrorOf(error, 'token')
      if (mapped.code !== 'offer_expired' || !(await this.activity.acceptedOffer(resolved.id))) throw mapped
      throw new HolderWalletError('offer_used', 'This wallet accepted this offer already', {
        cause: error,
        details: mapped.details,
      })
    }
  }

  private async credoOffer(offerUri: string): Promise<OpenId4VciResolvedCredentialOffer> {
    try {
      return await this.agent.openid4vc.holder.resolveCredentialOffer(offerUri)
    } catch (error) {
      throw walletErrorOf(error, 'offer')
    }
  }
}
