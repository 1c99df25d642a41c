import { createHash, type KeyObject, verify } from 'node:crypto'
import { decodeStatusList, type StatusBitsPerEntry, statusAt } from '@attesto/protocol-kit/status-list'
import type { AgentContext } from '@credo-ts/core'
import { LRUCache } from 'lru-cache'
import { STATUS_LIST_KEY_PREFIX } from './cacheKeys.js'
import { type FetchStatusListTokenOptions, fetchStatusListToken } from './fetchStatusListToken.js'
import type { RedisLruCache } from './RedisLruCache.js'
import { StatusListInvalidError } from './StatusListError.js'

export interface StatusListTokenResolverOptions extends FetchStatusListTokenOptions {
  /** The DID cache (in-process LRU in front of Redis): tokens are kept there, shared by tenants. */
  cache: RedisLruCache
  /** Longest a token is cached, whatever its `ttl` and `exp` say (default 3,600 s). */
  maxCacheSeconds?: number
}

/** A status list entry reference of a credential (`status.status_list`). */
export interface StatusReference {
  idx: number
  uri: string
}

interface DecodedList {
  bytes: Buffer
  bits: StatusBitsPerEntry
  exp?: number
  /** Keys the token's signature was checked with (a token is verified once per key). */
  verifiedWith: WeakSet<KeyObject>
}

const VERIFY_HASH: Record<string, string | null> = { ES256: 'sha256', ES384: 'sha384', EdDSA: null, Ed25519: null }

function decodePart(part: string | undefined): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
  } catch (error) {
    throw new StatusListInvalidError('The status list token is not a JWT', { cause: error as Error })
  }
}

/**
 * Status list tokens (draft-ietf-oauth-status-list) as a verifier or a wallet reads them:
 * fetched under the address guard with a size limit and a total timeout, cached per the token's
 * `ttl` and `exp` in the DID cache (in-process LRU, then Redis), concurrent misses for one URI
 * coalesced into one fetch, and each token's signature and list decoded once per process.
 */
export class StatusListTokenResolver {
  /** Tokens fetched over the network by this process. */
  public fetches = 0
  /** Fetches that failed (unreachable, refused, too large, timed out). */
  public fetchFailures = 0
  /** Status checks answered without a fetch (this process's hot copy, the LRU or Redis). */
  public hits = 0
  private readonly inFlight = new Map<string, Promise<string>>()
  private readonly decoded = new LRUCache<string, DecodedList>({ max: 1_000 })
  /** Tokens in use, by URI, for as long as the cache's LRU would keep them (no parse, no hash per check). */
  private readonly hot = new LRUCache<string, { jwt: string; id: string }>({ max: 1_000, ttl: 30_000 })

  public constructor(private readonly options: StatusListTokenResolverOptions) {}

  /** The status value of an entry (0 valid, 1 invalid, 2 suspended, …), checked against `issuerKey`. */
  public async status(agentContext: AgentContext, reference: StatusReference, issuerKey: KeyObject): Promise<number> {
    let hot = this.hot.get(reference.uri)
    if (hot) this.hits += 1
    else {
      const jwt = await this.token(agentContext, reference.uri)
      hot = { jwt, id: createHash('sha256').update(jwt).digest('base64url') }
      this.hot.set(reference.uri, hot, { ttl: 1_000 * Math.min(30, this.cacheSecondsOf(jwt)) })
    }
    const decoded = this.decode(hot.jwt, hot.id, reference.uri, issuerKey)
    if (decoded.exp !== undefined && decoded.exp <= Date.now() / 1000) {
      throw new StatusListInvalidError('The status list token has expired')
    }
    const status = statusAt(decoded.bytes, decoded.bits, reference.idx)
    if (status === undefined) throw new StatusListInvalidError('The status index is outside the list')
    return status
  }

  /** Forgets the tokens this process holds outside the cache (benchmarks). */
  public clearLocal(): void {
    this.hot.clear()
  }

  /** The token at `uri`: from the cache, or fetched once for all concurrent callers. */
  public async token(agentContext: AgentContext, uri: string): Promise<string> {
    const cached = await this.options.cache.get<{ jwt: string }>(agentContext, `${STATUS_LIST_KEY_PREFIX}${uri}`)
    if (cached) {
      this.hits += 1
      return cached.jwt
    }
    const pending = this.inFlight.get(uri)
    if (pending) {
      this.options.cache.metrics.increment('coalesced')
      return pending
    }
    const fetched = this.fetch(agentContext, uri).finally(() => this.inFlight.delete(uri))
    this.inFlight.set(uri, fetched)
    return fetched
  }

  private async fetch(agentContext: AgentContext, uri: string): Promise<string> {
    this.fetches += 1
    const jwt = await fetchStatusListToken(uri, this.options).catch((error: unknown) => {
      this.fetchFailures += 1
      throw error
    })
    const seconds = this.cacheSecondsOf(jwt)
    if (seconds >= 1) {
      await this.options.cache.set(agentContext, `${STATUS_LIST_KEY_PREFIX}${uri}`, { jwt }, Math.floor(seconds))
    }
    return jwt
  }

  /** How long a token may be cached: its `ttl` (300 s without one), never past `exp` nor the maximum. */
  private cacheSecondsOf(jwt: string): number {
    const payload = decodePart(jwt.split('.')[1])
    const ttl = typeof payload.ttl === 'number' && payload.ttl > 0 ? payload.ttl : 300
    const untilExp = typeof payload.exp === 'number' ? payload.exp - Date.now() / 1000 : ttl
    return Math.max(0, Math.min(ttl, untilExp, this.options.maxCacheSeconds ?? 3_600))
  }

  private decode(jwt: string, id: string, uri: string, issuerKey: KeyObject): DecodedList {
    let decoded = this.decoded.get(id)
    if (decoded?.verifiedWith.has(issuerKey)) return decoded
    const [headerPart, payloadPart, signature] = jwt.split('.')
    const header = decodePart(headerPart)
    const payload = decodePart(payloadPart)
    if (header.typ !== 'statuslist+jwt') throw new StatusListInvalidError('The token is not a statuslist+jwt')
    const hash = VERIFY_HASH[String(header.alg)]
    const ok =
      hash !== undefined &&
      verify(
        hash,
        Buffer.from(`${headerPart}.${payloadPart}`),
        { key: issuerKey, dsaEncoding: 'ieee-p1363' },
        Buffer.from(signature ?? '', 'base64url'),
      )
    if (!ok) throw new StatusListInvalidError("The status list token's signature is not the credential issuer's")
    if (payload.sub !== uri) throw new StatusListInvalidError('The status list token is for another list (sub)')
    const statusList = payload.status_list as { bits?: unknown; lst?: unknown } | undefined
    if (![1, 2, 4, 8].includes(statusList?.bits as number) || typeof statusList?.lst !== 'string') {
      throw new StatusListInvalidError('The status list token carries no status list')
    }
    if (!decoded) {
      let bytes: Buffer
      try {
        bytes = decodeStatusList(statusList.lst)
      } catch (error) {
        throw new StatusListInvalidError('The status list does not decompress', { cause: error as Error })
      }
      decoded = {
        bytes,
        bits: statusList.bits as StatusBitsPerEntry,
        exp: typeof payload.exp === 'number' ? payload.exp : undefined,
        verifiedWith: new WeakSet(),
      }
      this.decoded.set(id, decoded)
    }
    decoded.verifiedWith.add(issuerKey)
    return decoded
  }
}
