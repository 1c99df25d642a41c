import http from 'node:http'
import https from 'node:https'
import { type AddressPolicy, guardedLookup, refusedIpLiteral } from './addressPolicy.js'
import { StatusListUnavailableError } from './StatusListError.js'

export interface FetchStatusListTokenOptions extends AddressPolicy {
  /** Allow http:// URIs (tests only). */
  allowInsecureHttp?: boolean
  /** The whole fetch (connect, headers, body) must end within this (default 3,000 ms). */
  timeoutMillis?: number
  /** Largest accepted token (default 1 MiB). */
  maxBytes?: number
}

/**
 * GETs a status list token (`application/statuslist+jwt`) under the did:web resolver's address
 * guard (no private, link-local or loopback address, judged in the connection's own lookup), with
 * a size limit and a total timeout. Fails with {@link StatusListUnavailableError}.
 */
export function fetchStatusListToken(uri: string, options: FetchStatusListTokenOptions = {}): Promise<string> {
  const { timeoutMillis = 3_000, maxBytes = 1024 * 1024 } = options
  let url: URL
  try {
    url = new URL(uri)
  } catch (error) {
    return Promise.reject(new StatusListUnavailableError(`Not a URL: ${uri}`, { cause: error as Error }))
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.allowInsecureHttp)) {
    return Promise.reject(new StatusListUnavailableError(`Refusing to fetch ${url.origin}: not https`))
  }
  const literal = refusedIpLiteral(url, options)
  if (literal) return Promise.reject(new StatusListUnavailableError(`Refusing to fetch ${url.origin}: not public`))
  const lookup = guardedLookup(options, (host) => new StatusListUnavailableError(`Refusing ${host}: no public address`))
  const client = url.protocol === 'http:' ? http : https

  return new Promise((resolve, reject) => {
    const request = client.get(url, { lookup, headers: { accept: 'application/statuslist+jwt' } }, (response) => {
      if (response.statusCode !== 200) {
        response.resume()
        return reject(new StatusListUnavailableError(`${url.origin} answered ${response.statusCode}`))
      }
      const chunks: Buffer[] = []
      let size = 0
      response.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size <= maxBytes) return chunks.push(chunk)
        // Settled here: the 'end' of a destroyed response must not resolve it with a truncated body.
        reject(new StatusListUnavailableError(`${url.origin} sent more than ${maxBytes} bytes`))
        request.destroy()
      })
      response.on('end', () => {
        if (size <= maxBytes) resolve(Buffer.concat(chunks).toString('utf8').trim())
      })
      response.on('error', reject)
    })
    const timer = setTimeout(
      () => request.destroy(new StatusListUnavailableError(`${url.origin} did not answer within ${timeoutMillis} ms`)),
      timeoutMillis,
    )
    request.on('close', () => clearTimeout(timer))
    request.on('error', (error) =>
      reject(
        error instanceof StatusListUnavailableError
          ? error
          : new StatusListUnavailableError(`${url.origin}: ${error.message}`, { cause: error as Error }),
      ),
    )
  })
}
