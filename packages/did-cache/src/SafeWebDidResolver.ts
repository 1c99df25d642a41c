import http from 'node:http'
import https from 'node:https'
import {
  type AgentContext,
  DidDocument,
  type DidResolutionResult,
  type DidResolver,
  JsonTransformer,
  type ParsedDid,
} from '@credo-ts/core'
import { type AddressPolicy, guardedLookup, refusedIpLiteral } from './addressPolicy.js'

export interface SafeWebDidResolverOptions extends AddressPolicy {
  /** Fetch over http:// instead of https:// (tests only). */
  allowInsecureHttp?: boolean
  /** Give up on a host after this long (default 5,000 ms). */
  timeoutMillis?: number
  /** Largest accepted DID document (default 256 KiB). */
  maxBytes?: number
}

class FetchError extends Error {
  public constructor(
    message: string,
    public readonly resolutionError: string,
  ) {
    super(message)
  }
}

/** The did.json URL of a did:web DID (W3C did:web method, "Read (Resolve)"). */
export function didWebUrl(parsed: ParsedDid, scheme: 'https' | 'http' = 'https'): URL {
  const [host, ...path] = parsed.id.split(':').map(decodeURIComponent)
  if (!host) throw new FetchError(`${parsed.did} has no host`, 'invalidDid')
  const location = path.length > 0 ? `/${path.join('/')}/did.json` : '/.well-known/did.json'
  return new URL(`${scheme}://${host}${location}`)
}

/**
 * did:web resolution that cannot be pointed at internal services: the host's addresses are
 * checked after DNS resolution, in the connection's own lookup (so DNS rebinding between check
 * and connect is not possible), and private, link-local and loopback ranges are refused.
 * Responses are bounded in size and time, and the document's `id` must be the DID.
 */
export class SafeWebDidResolver implements DidResolver {
  public readonly supportedMethods = ['web']
  public readonly allowsCaching = true
  public readonly allowsLocalDidRecord = true

  public constructor(private readonly options: SafeWebDidResolverOptions = {}) {}

  public async resolve(_agentContext: AgentContext, did: string, parsed: ParsedDid): Promise<DidResolutionResult> {
    try {
      const url = didWebUrl(parsed, this.options.allowInsecureHttp ? 'http' : 'https')
      const json = await this.fetchJson(url)
      const didDocument = JsonTransformer.fromJSON(json, DidDocument)
      if (didDocument.id !== did) {
        throw new FetchError(`The document at ${url} is for ${didDocument.id}, not ${did}`, 'invalidDidDocument')
      }
      return { didDocument, didDocumentMetadata: {}, didResolutionMetadata: { contentType: 'application/did+json' } }
    } catch (error) {
      const resolutionError = error instanceof FetchError ? error.resolutionError : 'invalidDidDocument'
      return {
        didDocument: null,
        didDocumentMetadata: {},
        didResolutionMetadata: { error: resolutionError, message: (error as Error).message },
      }
    }
  }

  private fetchJson(url: URL): Promise<unknown> {
    const { timeoutMillis = 5_000, maxBytes = 256 * 1024 } = this.options
    const literal = refusedIpLiteral(url, this.options)
    if (literal) {
      return Promise.reject(new FetchError(`Refusing to fetch ${url}: address ${literal} is not public`, 'notFound'))
    }
    const lookup = guardedLookup(
      this.options,
      (hostname) => new FetchError(`Refusing to fetch ${url}: ${hostname} has no public address`, 'notFound'),
    )
    const client = url.protocol === 'http:' ? http : https

    return new Promise<unknown>((resolveFetch, rejectFetch) => {
      // The timeout bounds the whole exchange, not the silence between bytes: a host that drips
      // its answer is cut off at the deadline all the same.
      const deadline = setTimeout(() => {
        const error = new FetchError(`${url} did not complete within ${timeoutMillis} ms`, 'internalError')
        request.destroy(error)
        reject(error)
      }, timeoutMillis)
      const resolve = (value: unknown) => {
        clearTimeout(deadline)
        resolveFetch(value)
      }
      const reject = (error: unknown) => {
        clearTimeout(deadline)
        rejectFetch(error)
      }
      const request = client.get(
        url,
        { lookup, timeout: timeoutMillis, headers: { accept: 'application/did+json, application/json' } },
        (response) => {
          const status = response.statusCode ?? 0
          if (status === 404 || status === 410) {
            response.resume()
            return reject(new FetchError(`${url} answered ${status}`, 'notFound'))
          }
          if (status !== 200) {
            response.resume()
            return reject(new FetchError(`${url} answered ${status}`, 'internalError'))
          }
          const chunks: Buffer[] = []
          let size = 0
          response.on('data', (chunk: Buffer) => {
            size += chunk.length
            if (size <= maxBytes) return chunks.push(chunk)
            request.destroy()
            reject(new FetchError(`${url} sent more than ${maxBytes} bytes`, 'invalidDidDocument'))
          })
          response.on('end', () => {
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
            } catch {
              reject(new FetchError(`${url} did not send JSON`, 'invalidDidDocument'))
            }
          })
          response.on('error', reject)
        },
      )
      request.on('timeout', () =>
        request.destroy(new FetchError(`${url} did not answer within ${timeoutMillis} ms`, 'internalError')),
      )
      request.on('error', (error) =>
        reject(error instanceof FetchError ? error : new FetchError(`${url}: ${error.message}`, 'internalError')),
      )
    })
  }
}
