import { guardedRequest } from '@attesto/agent-runtime'
import type { JSONWebKeySet } from 'jose'
import type { ExternalAuthorizationServer } from '../issuers/ExternalAuthorizationServer.js'

/** An external authorization server's keys could not be had (its metadata or JWKS unreachable or malformed). */
export class AuthorizationServerKeysError extends Error {}

export interface AuthorizationServerKeysOptions {
  /** How long fetched keys are used before they are fetched again. */
  cacheSeconds: number
  /** At most one fetch per server within this many seconds, however many unknown `kid`s come. */
  refetchIntervalSeconds: number
  /** Allow http:// and loopback servers (development and tests only): `WEBHOOK_ALLOW_INSECURE`. */
  allowInsecure: boolean
}

interface Entry {
  keys: Promise<JSONWebKeySet>
  fetchedAt: number
  /** The fetch failed: its error is answered until the refetch interval has passed. */
  failed?: boolean
}

const MAX_SERVERS = 1_000

/**
 * The signing keys of tenants' external authorization servers, per instance: discovered from the
 * server's metadata (RFC 8414 `/.well-known/oauth-authorization-server`, else OpenID Connect
 * discovery) unless the configuration names `jwksUri` or gives `jwks`, fetched through the
 * webhooks' address guard (no private or link-local targets), kept `cacheSeconds`. A token with
 * a `kid` the cached set lacks (a key rotated in) makes one fetch at most every
 * `refetchIntervalSeconds`, so forged `kid`s cannot make the service hammer the server; a failed
 * fetch is not repeated within that interval either. Concurrent requests share one fetch.
 */
export class AuthorizationServerKeys {
  private readonly entries = new Map<string, Entry>()

  public constructor(private readonly options: AuthorizationServerKeysOptions) {}

  /** The server's keys, cached. */
  public keys(server: ExternalAuthorizationServer): Promise<JSONWebKeySet> {
    if (server.jwks) return Promise.resolve(server.jwks as JSONWebKeySet)
    const key = this.cacheKey(server)
    const entry = this.entries.get(key)
    const lifetimeSeconds = entry?.failed ? this.options.refetchIntervalSeconds : this.options.cacheSeconds
    if (entry && entry.fetchedAt + lifetimeSeconds * 1000 > Date.now()) return entry.keys
    return this.fetch(server, key)
  }

  /**
   * The keys fetched again because a token named a `kid` they lack; undefined when the last fetch
   * was under `refetchIntervalSeconds` ago (or the keys are given, not fetched).
   */
  public refetch(server: ExternalAuthorizationServer): Promise<JSONWebKeySet> | undefined {
    if (server.jwks) return undefined
    const key = this.cacheKey(server)
    const entry = this.entries.get(key)
    if (entry && entry.fetchedAt + this.options.refetchIntervalSeconds * 1000 > Date.now()) return undefined
    return this.fetch(server, key)
  }

  private cacheKey(server: ExternalAuthorizationServer): string {
    return `${server.issuer} ${server.jwksUri ?? ''}`
  }

  private fetch(server: ExternalAuthorizationServer, key: string): Promise<JSONWebKeySet> {
    const keys = this.download(server)
    if (this.entries.size >= MAX_SERVERS) this.entries.clear()
    const entry: Entry = { keys, fetchedAt: Date.now() }
    this.entries.set(key, entry)
    // A failed fetch is kept as a failure for the refetch interval: a server that is down is not
    // asked again for every token meanwhile (those are answered 503 at once).
    keys.catch(() => {
      entry.failed = true
    })
    return keys
  }

  private async download(server: ExternalAuthorizationServer): Promise<JSONWebKeySet> {
    const jwksUri = server.jwksUri ?? (await this.discoverJwksUri(server.issuer))
    const set = await this.getJson(jwksUri, 'JWKS')
    if (!Array.isArray(set.keys)) throw new AuthorizationServerKeysError(`${jwksUri} is not a JWK set`)
    return { keys: set.keys as JSONWebKeySet['keys'] }
  }

  /** The `jwks_uri` of the server's metadata (RFC 8414 §3 first, then OpenID Connect discovery), whose `issuer` must be the server's. */
  private async discoverJwksUri(issuer: string): Promise<string> {
    const url = new URL(issuer)
    const path = url.pathname === '/' ? '' : url.pathname
    const candidates = [
      `${url.origin}/.well-known/oauth-authorization-server${path}`,
      `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
    ]
    let last: unknown
    for (const candidate of candidates) {
      try {
        const metadata = await this.getJson(candidate, 'Authorization server metadata')
        if (metadata.issuer !== issuer) {
          throw new AuthorizationServerKeysError(`The metadata at ${candidate} names another issuer`)
        }
        if (typeof metadata.jwks_uri !== 'string') {
          throw new AuthorizationServerKeysError(`The metadata at ${candidate} has no jwks_uri`)
        }
        return metadata.jwks_uri
      } catch (error) {
        last = error
      }
    }
    throw new AuthorizationServerKeysError(`The metadata of ${issuer} could not be had`, { cause: last })
  }

  private async getJson(url: string, label: string): Promise<Record<string, unknown>> {
    const answer = await guardedRequest(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      timeoutMillis: 5_000,
      allowInsecure: this.options.allowInsecure,
      maxBodyBytes: 256 * 1024,
      label,
    }).catch((cause: unknown) => {
      throw new AuthorizationServerKeysError(`${label} at ${url} could not be reached`, { cause })
    })
    if (answer.status !== 200) throw new AuthorizationServerKeysError(`${label} at ${url} answered ${answer.status}`)
    try {
      const value = JSON.parse(answer.body.toString('utf8')) as unknown
      if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
    } catch (cause) {
      throw new AuthorizationServerKeysError(`${label} at ${url} is not JSON`, { cause })
    }
    throw new AuthorizationServerKeysError(`${label} at ${url} is not a JSON object`)
  }
}
