import { createHash } from 'node:crypto'
import { signJwt } from '@attesto/agent-runtime'
import { STATUS_VALUES } from '@attesto/protocol-kit'
import { encodeStatusList } from '@attesto/protocol-kit/status-list'
import { type Database, SessionStore } from '@attesto/storage-service'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import { issuerSignature } from '../issuers/issuerSignature.js'
import type { CredentialStatusStore } from './CredentialStatusStore.js'
import { KEPT_UNTIL_DELETED, listKey, type StatusListRow, type StatusLists, statusPartition } from './StatusLists.js'
import type { StatusListConfig } from './statusConfig.js'

/** The signed token of a list as every instance serves it (one row per list, shared). */
interface TokenRow {
  state: 'published' | 'signing'
  /** Epoch ms until which one instance holds the right to sign. */
  signingUntil: number
  jwt?: string
  etag?: string
  iat?: number
  exp?: number
  /** The list version the token shows. */
  version?: number
  /** Which identity signed it: the certificate's SHA-256, or absent for the DID. */
  signedAs?: string
}

export interface PublishedToken {
  jwt: string
  etag: string
  /** Epoch ms until which this instance serves the token without looking at storage again. */
  freshUntil: number
}

// Short, so that an instance killed while signing holds up the others' first token for at most
// this long (a wallet's status fetch gives up after a few seconds); signing takes milliseconds.
const SIGNING_LEASE_MILLIS = 2_000
const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

/**
 * Publishes status lists as signed Token Status List JWTs (`typ: statuslist+jwt`). Signing is
 * lazy and shared: an instance looks at storage at most once per update interval per list, and
 * re-signs only when the list changed (or its token is half-way to `exp`), and not sooner than
 * one interval after the last signature, so a burst of changes costs one signature. The token
 * lives in one row per list that every instance reads, and a lease in that row lets one
 * instance sign while the others keep serving the previous token.
 */
export class StatusListPublisher {
  private readonly tokens: SessionStore<TokenRow>
  private readonly local = new Map<string, PublishedToken>()
  private readonly inFlight = new Map<string, Promise<PublishedToken | null>>()
  /** Signatures made by this instance (for the benchmark and tests). */
  public signatures = 0

  public constructor(
    database: Database,
    schema: string,
    private readonly lists: StatusLists,
    private readonly statuses: CredentialStatusStore,
    private readonly config: StatusListConfig,
    private readonly credentialIssuerBaseUrl: string,
  ) {
    this.tokens = new SessionStore<TokenRow>(database, schema, 'StatusListToken', statusPartition)
  }

  /** The URI of a list: its status list token is served there, and it is the token's `sub`. */
  public uri(issuerId: string, listId: string): string {
    return `${this.credentialIssuerBaseUrl}/${issuerId}/status-lists/${listId}`
  }

  /** The current token of a list, or null when the issuer has no such list. */
  public current(issuer: ResolvedIssuer, listId: string): Promise<PublishedToken | null> {
    const key = this.localKeyOf(issuer, listId)
    const local = this.local.get(key)
    if (local && local.freshUntil > Date.now()) return Promise.resolve(local)
    const pending = this.inFlight.get(key)
    if (pending) return pending
    const refreshed = this.refresh(issuer, listId, key).finally(() => this.inFlight.delete(key))
    this.inFlight.set(key, refreshed)
    return refreshed
  }

  /**
   * Signs a list's token now and shares it, whatever the interval (benchmarks; operators after
   * rotating the issuer key). Null when the issuer has no such list.
   */
  public async publishNow(issuer: ResolvedIssuer, listId: string): Promise<PublishedToken | null> {
    const key = listKey(issuer.profile.issuerId, listId)
    const list = await this.lists.find(issuer.tenantId, key)
    if (!list) return null
    const signed = await this.sign(issuer, list, await this.lists.version(issuer.tenantId, list))
    if (
      !(await this.tokens.updateReturning(issuer.tenantId, 'value = $4::jsonb', 'true', [key, JSON.stringify(signed)]))
    ) {
      await this.tokens.insert(issuer.tenantId, key, signed, KEPT_UNTIL_DELETED)
    }
    return this.keep(this.localKeyOf(issuer, listId), signed, Date.now() + this.config.updateIntervalSeconds * 1000)
  }

  /** Where this instance keeps a list's token: per signing identity, so a certificate upload (or removal) signs it anew. */
  private localKeyOf(issuer: ResolvedIssuer, listId: string): string {
    return `${issuer.tenantId}/${listKey(issuer.profile.issuerId, listId)}/${issuer.profile.certificate?.sha256 ?? 'did'}`
  }

  /** Forgets this instance's copies (tests and benchmarks). */
  public clearLocal(): void {
    this.local.clear()
  }

  private async refresh(issuer: ResolvedIssuer, listId: string, localKey: string): Promise<PublishedToken | null> {
    const key = listKey(issuer.profile.issuerId, listId)
    const intervalMillis = this.config.updateIntervalSeconds * 1000
    for (let attempt = 0; attempt < 40; attempt++) {
      const [list, shared] = await Promise.all([
        this.lists.find(issuer.tenantId, key),
        this.tokens.find(issuer.tenantId, key),
      ])
      if (!list) return null
      const version = await this.lists.version(issuer.tenantId, list)
      const now = Date.now()
      if (shared?.jwt && shared.iat !== undefined && shared.exp !== undefined) {
        // A new certificate (or its removal) makes the token out of date at once: unlike status
        // changes, which are signed at most once per interval.
        const sameIdentity = shared.signedAs === issuer.profile.certificate?.sha256
        const upToDate =
          shared.version === version &&
          sameIdentity &&
          shared.exp * 1000 - now > (this.config.tokenValiditySeconds * 1000) / 2
        const signedLately = sameIdentity && shared.iat * 1000 + intervalMillis > now
        if (upToDate) return this.keep(localKey, shared, now + intervalMillis)
        if (signedLately) return this.keep(localKey, shared, shared.iat * 1000 + intervalMillis)
      }
      if (await this.claim(issuer.tenantId, key, shared !== null)) {
        const signed = await this.sign(issuer, list, version)
        await this.tokens.updateReturning(issuer.tenantId, 'value = $4::jsonb', 'true', [key, JSON.stringify(signed)])
        return this.keep(localKey, signed, Date.now() + intervalMillis)
      }
      // Another instance is signing: serve the previous token meanwhile, or wait for the first one.
      if (shared?.jwt) return this.keep(localKey, shared, now + 1000)
      await sleep(100)
    }
    throw new Error('The status list token could not be published')
  }

  private keep(localKey: string, row: TokenRow, freshUntil: number): PublishedToken {
    const token = { jwt: row.jwt as string, etag: row.etag as string, freshUntil }
    if (this.local.size >= 10_000) this.local.clear()
    this.local.set(localKey, token)
    return token
  }

  /** Takes the signing lease of a list: true for exactly one of racing instances. */
  private async claim(tenantId: string, key: string, exists: boolean): Promise<boolean> {
    const until = Date.now() + SIGNING_LEASE_MILLIS
    if (!exists) {
      return this.tokens.insert(tenantId, key, { state: 'signing', signingUntil: until }, KEPT_UNTIL_DELETED)
    }
    const claimed = await this.tokens.updateReturning(
      tenantId,
      `value = value || jsonb_build_object('state', 'signing', 'signingUntil', $4::bigint)`,
      `(value->>'signingUntil')::bigint < $5::bigint`,
      [key, until, Date.now()],
    )
    return claimed !== null
  }

  /** Signs the list as it is now (`version` read before its entries: a change meanwhile makes the next look re-sign). */
  private async sign(issuer: ResolvedIssuer, list: StatusListRow, version: number): Promise<TokenRow> {
    const entries = await this.statuses.flagged(issuer.tenantId, list.issuerId, list.listId)
    const lst = encodeStatusList(
      list.size,
      list.bits,
      entries.map((entry): [number, number] => [entry.idx, STATUS_VALUES[entry.state]]),
    )
    const iat = Math.floor(Date.now() / 1000)
    const exp = iat + this.config.tokenValiditySeconds
    // The same identity as the credentials it covers: x5c once the issuer has a certificate (HAIP 1.0 §6.1).
    const signature = issuerSignature(issuer)
    const jwt = await signJwt(issuer.tenantContext, {
      keyId: issuer.profile.keyId,
      alg: issuer.alg,
      header: { typ: 'statuslist+jwt', ...signature.header },
      payload: {
        sub: this.uri(list.issuerId, list.listId),
        ...(signature.iss ? { iss: signature.iss } : {}),
        iat,
        exp,
        ttl: this.config.updateIntervalSeconds,
        status_list: { bits: list.bits, lst },
      },
    })
    this.signatures += 1
    const etag = `"${createHash('sha256').update(jwt).digest('base64url').slice(0, 22)}"`
    const signedAs = issuer.profile.certificate?.sha256
    return { state: 'published', signingUntil: 0, jwt, etag, iat, exp, version, ...(signedAs ? { signedAs } : {}) }
  }
}
