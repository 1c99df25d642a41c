import { type Agent, MdocRecord } from '@credo-ts/core'
import { type ActivityEntry, ActivityLog } from './activity/ActivityLog.js'
import { type OpenHolderWalletOptions, openWalletAgent, type WalletAgent } from './agent/openWalletAgent.js'
import type { BeginAuthorizationOptions, BeginAuthorizationReturn } from './authorization/AuthorizationCodeFlow.js'
import { type WalletAttestationHook, walletInstanceKey } from './authorization/walletAttestation.js'
import {
  assertNoWallet,
  type ExportWalletOptions,
  exportWallet,
  readWalletBackup,
  restoreWallet,
} from './backup/walletBackup.js'
import { type CredentialQuery, findRecord, listRecords } from './credentials/credentialRecords.js'
import {
  type DeleteCredentialOptions,
  type DeleteCredentialReturn,
  deleteCredential,
} from './credentials/deleteCredential.js'
import { toWalletCredential, type WalletCredential, type WalletRecord } from './credentials/WalletCredential.js'
import { HolderWalletError } from './errors/HolderWalletError.js'
import { walletErrorOf } from './errors/walletErrorOf.js'
import { DeferredCredentials, type PendingCredential } from './issuance/DeferredCredentials.js'
import { OfferIssuance } from './issuance/OfferIssuance.js'
import type { IssuanceHooks } from './issuance/OfferRedemption.js'
import type { AcceptOfferOptions } from './issuance/offerChecks.js'
import type { ResolvedOffer } from './issuance/ResolvedOffer.js'
import { defaultPlatform } from './node/nodePlatform.js'
import type { WalletPlatformStorage } from './platform/WalletPlatform.js'
import { type AcceptPresentationOptions, PresentationRequests } from './presentation/PresentationRequests.js'
import { type PresentationChoice, simpleChoice } from './presentation/presentationChoice.js'
import type { ResolvedPresentationRequest } from './presentation/ResolvedRequest.js'
import type { DeclineOptions, PresentationResponse } from './presentation/verifierAnswer.js'
import { CredentialStatusReader, type CredentialStatusReport } from './status/CredentialStatusReader.js'
import type { WalletKeys } from './storage/WalletKeys.js'
import type { TrustPolicy } from './trust/TrustPolicy.js'

export interface WaitForDeferredOptions {
  /** Give up after this long (default 60 s); what is still pending stays pending. */
  timeoutMillis?: number
}

export interface ImportHolderWalletOptions extends OpenHolderWalletOptions {
  /** The passphrase the backup was exported under (`passphrase` is the new wallet's). */
  backupPassphrase: string
}

/** @deprecated with {@link HolderWallet.present}: pass a {@link PresentationChoice} to `acceptPresentationRequest`. */
export interface PresentOptions {
  /** Chooses, among the matching credentials of a query, the id of the one to present (default: the first). */
  select?: (queryId: string, candidates: WalletCredential[]) => string
}

/** @deprecated with {@link HolderWallet.present}. */
export interface PresentReturn {
  /** Whether the verifier accepted the response (no `verifierError`). */
  accepted: boolean
  /** The credentials that were presented, by the verifier's DCQL query id. */
  presented: Record<string, string[]>
}

/**
 * A holder's wallet: receives SD-JWT VCs over OpenID4VCI and presents them over OpenID4VP 1.0
 * (DCQL), in two steps each so that the holder sees and decides: resolve (the preview or consent
 * screen's data), then accept or decline. Credentials live in embedded storage (or PostgreSQL)
 * with what their card shows; keys live in a local KMS encrypted under the passphrase.
 *
 * @example
 * const wallet = await HolderWallet.open({ dataDir: './wallet', passphrase: 'correct horse battery staple' })
 * const offer = await wallet.resolveOffer('openid-credential-offer://?credential_offer=…')
 * const [diploma] = await wallet.acceptOffer(offer, { txCode: '493536' })
 * const request = await wallet.resolvePresentationRequest('openid4vp://?client_id=…&request_uri=…')
 * await wallet.acceptPresentationRequest(request, { diploma: diploma.id })
 * await wallet.close()
 */
export class HolderWallet {
  private readonly activityLog: ActivityLog
  private readonly statuses: CredentialStatusReader
  private readonly offers: OfferIssuance
  private readonly deferred: DeferredCredentials
  private readonly requests: PresentationRequests
  private readonly hooks: IssuanceHooks = {}

  private constructor(
    private readonly agent: WalletAgent,
    private readonly storage: WalletPlatformStorage,
    private readonly keys: WalletKeys,
    policy: TrustPolicy,
    fetcher: typeof fetch,
    allowInsecureHttp: boolean,
  ) {
    this.activityLog = new ActivityLog(agent.context)
    this.statuses = new CredentialStatusReader(agent as unknown as Agent, allowInsecureHttp)
    this.deferred = new DeferredCredentials(agent, (record, pending) => this.offers.receiveDeferred(record, pending))
    this.offers = new OfferIssuance(agent, policy, this.activityLog, this.deferred, this.hooks)
    this.requests = new PresentationRequests(agent, policy, this.activityLog, fetcher, allowInsecureHttp)
  }

  /**
   * Opens a wallet, or makes it when its storage (partition) holds none. An existing wallet opens
   * with its passphrase or fails with `wrong_passphrase`; it is never replaced by a new one.
   * `invalid_options` when no storage is named (node: `dataDir`, `databaseUrl` with `walletId`,
   * or `inMemory: true`; the browser bundle: `indexedDb`).
   */
  public static async open(options: OpenHolderWalletOptions): Promise<HolderWallet> {
    const { agent, storage, policy, fetch, keys } = await openWalletAgent(options, defaultPlatform)
    return new HolderWallet(agent, storage, keys, policy, fetch, options.allowInsecureHttp ?? false)
  }

  /**
   * Makes a new wallet at the place `options` name from a backup of {@link exportWallet}: every
   * record and key is sealed again under the new wallet's own key and `passphrase`. The place must
   * hold no wallet (`wallet_exists`); `wrong_passphrase` when `backupPassphrase` does not open the
   * backup, `backup_invalid` when it is damaged or altered. The activity log notes the import.
   */
  public static async importWallet(
    backup: string | Uint8Array,
    options: ImportHolderWalletOptions,
  ): Promise<HolderWallet> {
    const { backupPassphrase, ...openOptions } = options
    const contents = await readWalletBackup(backup, backupPassphrase)
    await assertNoWallet(openOptions, openOptions.platform ?? defaultPlatform)
    const wallet = await HolderWallet.open({ ...openOptions, createIfMissing: true })
    try {
      await restoreWallet(wallet.agent.context, wallet.keys, wallet.activityLog, contents)
    } catch (error) {
      await wallet.close()
      throw error
    }
    return wallet
  }

  /**
   * The whole wallet (credentials with their cards, deferred credentials, the activity log, and
   * the private keys the credentials are bound to) as one self-describing encrypted backup: JSON
   * text with the format version, the Argon2id parameters and salt, and AES-256-GCM ciphertext,
   * sealed under `passphrase` (the backup's own). `backup_unsupported` where the keys cannot leave
   * their store (the browser's non-extractable keys). The activity log notes the export.
   */
  public async exportWallet(options: ExportWalletOptions): Promise<string> {
    this.unlocked()
    return exportWallet(this.agent.context, this.keys, this.activityLog, options)
  }

  /**
   * Drops the wallet's keys from memory (the data-encryption key, the KMS and its decrypted keys,
   * offers and credentials held in memory). Until {@link unlock}, every call fails with
   * `wallet_locked`.
   */
  public lock(): void {
    this.offers.forget()
    this.keys.lock()
  }

  /** Whether the wallet is locked. */
  public get locked(): boolean {
    return this.keys.locked
  }

  /** Unlocks a locked wallet (`wrong_passphrase` when the passphrase does not open it). */
  public unlock(passphrase: string): Promise<void> {
    return this.keys.unlock(passphrase)
  }

  /**
   * Changes the passphrase: the wallet's data-encryption key is re-wrapped under a key derived
   * from `newPassphrase` (Argon2id, fresh salt) in one atomic write; no record is re-encrypted.
   * Until that write commits, `oldPassphrase` is the one that opens the wallet.
   */
  public async changePassphrase(oldPassphrase: string, newPassphrase: string): Promise<void> {
    this.unlocked()
    if (!newPassphrase) throw new HolderWalletError('invalid_options', 'The new passphrase is empty')
    await this.keys.changePassphrase(oldPassphrase, newPassphrase)
  }

  /** Reads an `openid-credential-offer://` URI and the issuer's metadata: the preview screen's data. Nothing is redeemed. */
  public async resolveOffer(offerUri: string): Promise<ResolvedOffer> {
    this.unlocked()
    return this.offers.resolve(offerUri)
  }

  /**
   * Redeems a resolved offer: each credential is bound to a new key of this wallet, its issuer
   * judged, then stored with its display. A credential the issuer defers is not in the result:
   * {@link pendingCredentials} lists it, {@link collectDeferredCredentials} collects it.
   *
   * Given an offer URI instead (the one-call form of earlier versions), resolves it first.
   */
  public async acceptOffer(
    offer: ResolvedOffer | string,
    options: AcceptOfferOptions = {},
  ): Promise<WalletCredential[]> {
    this.unlocked()
    const resolved = typeof offer === 'string' ? await this.resolveOffer(offer) : offer
    return this.offers.accept(resolved, options)
  }

  /**
   * For an offer whose `grant.type` is `authorization_code`: sends the pushed authorization request
   * (PKCE, and the DPoP key and wallet attestation when the issuer takes them) and returns the URL
   * the app opens in a browser. The redirect to `redirectUri` goes to {@link acceptOffer} as
   * `authorizationResponse`.
   */
  public async beginAuthorization(
    offer: ResolvedOffer,
    options: BeginAuthorizationOptions,
  ): Promise<BeginAuthorizationReturn> {
    this.unlocked()
    return this.offers.beginAuthorization(offer, options)
  }

  /**
   * Has the wallet authenticate to issuers with a wallet attestation from the app's wallet
   * provider (OAuth 2.0 Attestation-Based Client Authentication), at PAR and the token endpoint;
   * `undefined` stops it. The attestation must be bound to {@link walletInstanceKey}.
   */
  public useWalletAttestation(hook: WalletAttestationHook | undefined): void {
    this.hooks.walletAttestation = hook
  }

  /** The wallet instance key's public JWK (`kid` included): what the app's wallet provider attests. */
  public async walletInstanceKey(): Promise<Record<string, unknown>> {
    this.unlocked()
    return walletInstanceKey(this.agent as unknown as Agent)
  }

  /** The holder does not want the offer: nothing goes to the issuer (OID4VCI has no decline); the activity log records it. */
  public async declineOffer(offer: ResolvedOffer): Promise<void> {
    this.unlocked()
    return this.offers.decline(offer)
  }

  /** Credentials an issuer has deferred, not received yet. */
  public async pendingCredentials(): Promise<PendingCredential[]> {
    this.unlocked()
    return this.deferred.list()
  }

  /** Asks the issuers once for every deferred credential that is due; returns those received (and kept). */
  public async collectDeferredCredentials(): Promise<WalletCredential[]> {
    this.unlocked()
    return this.deferred.collect().catch((error: unknown) => {
      throw walletErrorOf(error, 'credential')
    })
  }

  /**
   * Collects deferred credentials until none is pending or the time is up, waiting between
   * attempts as long as each issuer asks; returns those received (and kept).
   */
  public async waitForDeferredCredentials(options: WaitForDeferredOptions = {}): Promise<WalletCredential[]> {
    const deadline = Date.now() + (options.timeoutMillis ?? 60_000)
    const received: WalletCredential[] = []
    for (;;) {
      received.push(...(await this.collectDeferredCredentials()))
      const pending = await this.pendingCredentials()
      if (pending.length === 0 || Date.now() >= deadline) return received
      const next = Math.min(...pending.map((entry) => Date.parse(entry.nextAttemptAt)))
      await new Promise((resolve) => setTimeout(resolve, Math.max(50, Math.min(next, deadline) - Date.now())))
    }
  }

  /**
   * Fetches and checks an `openid4vp://` request, judges the verifier, and matches the wallet's
   * credentials against its DCQL query: the consent screen's data. Nothing is sent.
   */
  public async resolvePresentationRequest(requestUri: string): Promise<ResolvedPresentationRequest> {
    this.unlocked()
    return this.requests.resolve(requestUri)
  }

  /**
   * Presents the holder's `choice` (query id → credential id; default: the first candidate of each
   * needed query), disclosing exactly what the resolved request showed. A refusal by the verifier
   * comes back as `verifierError`, not as an exception.
   */
  public async acceptPresentationRequest(
    request: ResolvedPresentationRequest,
    choice?: PresentationChoice,
    options: AcceptPresentationOptions = {},
  ): Promise<PresentationResponse> {
    this.unlocked()
    return this.requests.accept(request, choice, options)
  }

  /** Tells the verifier `access_denied` (OID4VP error response) where the response mode allows it. */
  public async declinePresentationRequest(
    request: ResolvedPresentationRequest,
    options: DeclineOptions = {},
  ): Promise<PresentationResponse> {
    this.unlocked()
    return this.requests.decline(request, options)
  }

  /**
   * @deprecated The one-call form of earlier versions: resolves the request and presents, for each
   * needed query, the credential `select` picks (default: the first match). Use
   * {@link resolvePresentationRequest} and {@link acceptPresentationRequest}.
   */
  public async present(requestUri: string, options: PresentOptions = {}): Promise<PresentReturn> {
    const request = await this.resolvePresentationRequest(requestUri)
    if (!request.satisfiable) {
      throw new HolderWalletError('request_unsatisfiable', 'This wallet holds no credentials that satisfy the request')
    }
    const choice = simpleChoice(request, options.select)
    const answer = await this.acceptPresentationRequest(request, choice)
    const presented = Object.fromEntries(Object.entries(choice).map(([id, chosen]) => [id, [chosen].flat()]))
    return { accepted: !answer.verifierError, presented }
  }

  /** The wallet's credentials, optionally of one SD-JWT VC type or mdoc document type (indexed queries); no network. */
  public async listCredentials(query: CredentialQuery = {}): Promise<WalletCredential[]> {
    this.unlocked()
    return (await listRecords(this.agent as unknown as Agent, query)).map(toWalletCredential)
  }

  /** One credential (`credential_not_found` when the wallet has none of this id). */
  public async getCredential(credentialId: string): Promise<WalletCredential> {
    return toWalletCredential(await this.record(credentialId))
  }

  /**
   * Removes a credential (every instance) and the keys it is bound to, and tells its issuer
   * `credential_deleted` when the issuer asked to be told (best effort).
   */
  public async deleteCredential(
    credentialId: string,
    options: DeleteCredentialOptions = {},
  ): Promise<DeleteCredentialReturn> {
    return deleteCredential(this.agent, this.activityLog, await this.record(credentialId), options)
  }

  /**
   * The current status of a credential from its issuer's status list (`valid`, `revoked`,
   * `suspended`), `none` when it has no status, `unavailable` when the list cannot be read. Lists
   * are cached for their `ttl`.
   */
  public async credentialStatus(credentialId: string): Promise<CredentialStatusReport> {
    const record = await this.record(credentialId)
    if (record instanceof MdocRecord) {
      return { status: 'unavailable', detail: 'The wallet does not read the status of mdocs yet' }
    }
    return this.statuses.read(record)
  }

  /** The wallet's history, newest first: offers accepted or declined, presentations shared or declined, refusals. */
  public async activity(): Promise<ActivityEntry[]> {
    this.unlocked()
    return this.activityLog.list()
  }

  public async close(): Promise<void> {
    await this.statuses.close()
    await this.agent.shutdown()
    await this.storage.close()
  }

  private unlocked(): void {
    if (this.keys.locked) {
      throw new HolderWalletError('wallet_locked', 'The wallet is locked: unlock it with its passphrase')
    }
  }

  private async record(credentialId: string): Promise<WalletRecord> {
    this.unlocked()
    return findRecord(this.agent as unknown as Agent, credentialId)
  }
}
