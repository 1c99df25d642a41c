import { LocalKeyManagementService } from '@attesto/kms-adapter'
import { type OpenStorageReturn, openStorage, PostgresStorageModule } from '@attesto/storage-service'
import {
  Agent,
  type DcqlQueryResult,
  type DcqlValidCredential,
  Kms,
  type SdJwtVcRecord,
  X509ModuleConfig,
} from '@credo-ts/core'
import { agentDependencies } from '@credo-ts/node'
import { OpenId4VcModule } from '@credo-ts/openid4vc'
import { CredentialStatusReader, type CredentialStatusReport } from './CredentialStatusReader.js'
import { DeferredCredentials, type PendingCredential } from './DeferredCredentials.js'
import { HolderWalletError } from './HolderWalletError.js'
import { WalletKms } from './WalletKms.js'
import { createWalletFetch, type WalletHttpOptions } from './walletFetch.js'
import { walletMasterKey } from './walletKey.js'

export interface OpenHolderWalletOptions {
  /** Protects the wallet's private keys (scrypt-derived key, AES-256-GCM at rest). */
  passphrase: string
  /** Embedded storage directory (PGlite). In memory when neither this nor `databaseUrl` is set. */
  dataDir?: string
  /** PostgreSQL instead of embedded storage. */
  databaseUrl?: string
  /** Allow http:// issuers and verifiers (development and tests only). */
  allowInsecureHttp?: boolean
  /** Timeouts and retries of the wallet's HTTP requests (defaults: 30 s each, GETs tried up to 3 times). */
  http?: WalletHttpOptions
  /**
   * CA certificates (PEM or base64 DER) the wallet trusts for credentials signed under an X.509
   * chain (`x5c`): such a credential is accepted only when its chain leads to one of them.
   */
  trustedCertificates?: string[]
}

/** A credential in the wallet, as an app shows it. */
export interface WalletCredential {
  id: string
  /** The SD-JWT VC type. */
  vct: string
  issuer: string
  /** All claims, disclosed or not (the wallet holds every disclosure). */
  claims: Record<string, unknown>
}

export interface AcceptOfferOptions {
  /** The transaction code the issuer sent out of band, when the offer requires one. */
  txCode?: string
}

export interface WaitForDeferredOptions {
  /** Give up after this long (default 60 s); what is still pending stays pending. */
  timeoutMillis?: number
}

export interface PresentOptions {
  /**
   * Chooses the credential that answers each of the verifier's DCQL credential queries, from the
   * wallet's credentials that match it: return the chosen credential's id. Without it, the first
   * match is used. Returning an id that is not among the candidates is an error.
   */
  select?: (queryId: string, candidates: WalletCredential[]) => string
}

export interface PresentReturn {
  /** Whether the verifier accepted the response (HTTP 2xx). */
  accepted: boolean
  /** The credentials that were presented, by the verifier's DCQL query id. */
  presented: Record<string, string[]>
}

const REGISTERED_CLAIMS = new Set(['iss', 'vct', 'cnf', 'iat', 'exp', 'nbf', 'status', '_sd_alg', '_sd'])

function toWalletCredential(record: SdJwtVcRecord): WalletCredential {
  const pretty = record.firstCredential.prettyClaims as Record<string, unknown>
  return {
    id: record.id,
    vct: String(pretty.vct),
    issuer: String(pretty.iss),
    claims: Object.fromEntries(Object.entries(pretty).filter(([name]) => !REGISTERED_CLAIMS.has(name))),
  }
}

/**
 * A holder's wallet: receives SD-JWT VCs over OpenID4VCI and presents them over OpenID4VP 1.0
 * (DCQL), disclosing only what the verifier asked for. Credentials live in embedded storage (or
 * PostgreSQL), queried through indexes; keys live in a local KMS encrypted under the passphrase.
 *
 * @example
 * const wallet = await HolderWallet.open({ dataDir: './wallet', passphrase: 'correct horse battery staple' })
 * await wallet.acceptOffer('openid-credential-offer://?credential_offer_uri=…')
 * const [diploma] = await wallet.listCredentials({ vct: 'https://university.example/diploma' })
 * await wallet.present('openid4vp://?request_uri=…')
 * await wallet.close()
 */
export class HolderWallet {
  private readonly deferred: DeferredCredentials
  private readonly statuses: CredentialStatusReader

  private constructor(
    private readonly agent: Agent<{ openid4vc: OpenId4VcModule }>,
    private readonly storage: OpenStorageReturn,
    allowInsecureHttp: boolean,
  ) {
    this.statuses = new CredentialStatusReader(agent as unknown as Agent, allowInsecureHttp)
    this.deferred = new DeferredCredentials(agent, async (record) => {
      await agent.sdJwtVc.store({ record })
    })
  }

  public static async open(options: OpenHolderWalletOptions): Promise<HolderWallet> {
    if (!options.passphrase) throw new HolderWalletError('A passphrase is required')
    const storage = await openStorage({
      schema: 'holder',
      databaseUrl: options.databaseUrl,
      pgliteDataDir: options.dataDir,
      cleanup: false,
    })
    const kms = new WalletKms()
    const agent = new Agent({
      config: { allowInsecureHttpUrls: options.allowInsecureHttp ?? false },
      dependencies: { ...agentDependencies, fetch: createWalletFetch(options.http) },
      modules: {
        storage: new PostgresStorageModule(storage.storageService),
        kms: new Kms.KeyManagementModule({ backends: [kms] }),
        openid4vc: new OpenId4VcModule({}),
      },
    })
    try {
      await agent.initialize()
      agent.dependencyManager.resolve(X509ModuleConfig).setTrustedCertificates(options.trustedCertificates ?? [])
      kms.unlock(new LocalKeyManagementService({ masterKey: await walletMasterKey(agent.context, options.passphrase) }))
    } catch (error) {
      await agent.shutdown().catch(() => {})
      await storage.close()
      throw error
    }
    return new HolderWallet(agent, storage, options.allowInsecureHttp ?? false)
  }

  /**
   * Receives the credentials of an `openid-credential-offer://` URI, each bound to a new key of
   * this wallet. A credential the issuer defers is not in the result: it is listed by
   * {@link pendingCredentials} and collected by {@link collectDeferredCredentials}.
   */
  public async acceptOffer(offerUri: string, options: AcceptOfferOptions = {}): Promise<WalletCredential[]> {
    const holder = this.agent.openid4vc.holder
    const resolvedCredentialOffer = await holder.resolveCredentialOffer(offerUri)
    const token = await holder.requestToken({ resolvedCredentialOffer, txCode: options.txCode })
    const { credentials, deferredCredentials } = await holder.requestCredentials({
      resolvedCredentialOffer,
      ...token,
      credentialBindingResolver: async () => {
        const key = await this.agent.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
        return { method: 'jwk', keys: [Kms.PublicJwk.fromPublicJwk(key.publicJwk)] }
      },
    })
    if (deferredCredentials.length > 0) {
      await this.deferred.remember(
        resolvedCredentialOffer.metadata.credentialIssuer.credential_issuer,
        deferredCredentials,
        {
          accessToken: token.accessToken,
          refreshToken: token.refreshToken,
          authorizationServer: token.authorizationServer,
        },
      )
    }
    const stored: WalletCredential[] = []
    for (const { record } of credentials) {
      const sdJwtVc = record as SdJwtVcRecord
      await this.agent.sdJwtVc.store({ record: sdJwtVc })
      stored.push(toWalletCredential(sdJwtVc))
    }
    return stored
  }

  /** Credentials an issuer has deferred, not received yet. */
  public pendingCredentials(): Promise<PendingCredential[]> {
    return this.deferred.list()
  }

  /** Asks the issuers once for every deferred credential that is due; returns those received (and stored). */
  public async collectDeferredCredentials(): Promise<WalletCredential[]> {
    return (await this.deferred.collect()).map(toWalletCredential)
  }

  /**
   * Collects deferred credentials until none is pending or the time is up, waiting between
   * attempts as long as each issuer asks; returns those received (and stored).
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

  /** The wallet's credentials, optionally of one type (an indexed query, not a scan). */
  public async listCredentials(query: { vct?: string } = {}): Promise<WalletCredential[]> {
    const records = query.vct
      ? await this.agent.sdJwtVc.findAllByQuery({ vct: query.vct })
      : await this.agent.sdJwtVc.getAll()
    return records.map(toWalletCredential)
  }

  /**
   * Answers an `openid4vp://` request: for each credential the verifier's DCQL query asks for,
   * the selected (by default the first) matching credential is presented, disclosing only the
   * claims the query names.
   */
  public async present(requestUri: string, options: PresentOptions = {}): Promise<PresentReturn> {
    const holder = this.agent.openid4vc.holder
    const request = await holder.resolveOpenId4VpAuthorizationRequest(requestUri)
    if (!request.dcql) throw new HolderWalletError('The request has no DCQL query; only DCQL requests are supported')
    if (!request.dcql.queryResult.can_be_satisfied) {
      throw new HolderWalletError('This wallet holds no credentials that satisfy the request')
    }
    const queryResult = options.select
      ? applySelection(request.dcql.queryResult, options.select)
      : request.dcql.queryResult
    const credentials = holder.selectCredentialsForDcqlRequest(queryResult)
    const { serverResponse } = await holder.acceptOpenId4VpAuthorizationRequest({
      authorizationRequestPayload: request.authorizationRequestPayload,
      dcql: { credentials },
    })
    const presented = Object.fromEntries(
      Object.entries(credentials).map(([queryId, entries]) => [
        queryId,
        (entries as { credentialRecord: { id: string } }[]).map((entry) => entry.credentialRecord.id),
      ]),
    )
    const status = serverResponse?.status ?? 0
    return { accepted: status >= 200 && status < 300, presented }
  }

  /**
   * The current status of a credential from its issuer's status list (`valid`, `revoked`,
   * `suspended`), `none` when it has no status, `unavailable` when the list cannot be read. Lists
   * are cached for their `ttl`.
   */
  public async credentialStatus(credentialId: string): Promise<CredentialStatusReport> {
    return this.statuses.read(await this.agent.sdJwtVc.getById(credentialId))
  }

  public async close(): Promise<void> {
    await this.statuses.close()
    await this.agent.shutdown()
    await this.storage.close()
  }
}

/** The query result narrowed, for each query, to the credential the user chose. */
function applySelection(queryResult: DcqlQueryResult, select: NonNullable<PresentOptions['select']>): DcqlQueryResult {
  const credentialMatches = Object.fromEntries(
    Object.entries(queryResult.credential_matches).map(([queryId, match]) => {
      if (!match.success) return [queryId, match]
      const valid = match.valid_credentials as unknown as DcqlValidCredential[]
      const candidates = valid.map((entry) => toWalletCredential(entry.record as SdJwtVcRecord))
      const chosen = select(queryId, candidates)
      const kept = valid.filter((entry) => entry.record.id === chosen)
      if (kept.length === 0) {
        throw new HolderWalletError(`Credential '${chosen}' does not match query '${queryId}' of this request`)
      }
      return [queryId, { ...match, valid_credentials: kept }]
    }),
  )
  return { ...queryResult, credential_matches: credentialMatches } as DcqlQueryResult
}
