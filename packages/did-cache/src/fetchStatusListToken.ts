import http from 'node:http'
import https from 'node:https'
import { type AddressPolicy, guardedLookup, refusedIpLiteral } from './addressPolicy.js'
import { StatusListUnavailableError } from './StatusListError.js'

export interface FetchStatusListTokenOptions extends AddressPolicy {
  /** Allow http:// URIs (tests only). */
  allowInsecureHttp?: boolean
  /** Each try (connect, headers, body) must end within this (default 5,000 ms). */
  timeoutMillis?: number
  /**
   * Tries of a fetch that failed in a way that passes (no connection, no answer in time, 502,
   * 503, 504), 250 ms apart, doubling (default 2). Refusals, other statuses and bad tokens are not tried again.
   */
  attempts?: number
  /** Largest accepted token (default 1 MiB). */
  maxBytes?: number
}

/**
 * GETs a status list token (`application/statuslist+jwt`) under the did:web resolver's address
 * guard (no private, link-local or loopback address, judged in the connection's own lookup), with
 * a size limit and a timeout per try; a failure that passes is tried again (`attempts`). Fails
 * with {@link StatusListUnavailableError}.
 */
export async function fetchStatusListToken(uri: string, options: FetchStatusListTokenOptions = {}): Promise<string> {
  const attempts = Math.max(1, options.attempts ?? 2)
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetchOnce(uri, options)
    } catch (error) {
      if (attempt >= attempts || !(error instanceof StatusListUnavailableError) || !error.transient) throw error
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** (attempt - 1)))
    }
  }
}

function fetchOnce(uri: string, options: FetchStatusListTokenOptions): Promise<string> {
  const { timeoutMillis = 5_000, maxBytes = 1024 * 1024 } = options
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
        const message = `${url.origin} answered ${response.statusCode}`
        return reject(
          [502, 503, 504].includes(response.statusCode ?? 0)
            ? StatusListUnavailableError.transient(message)
            : new StatusListUnavailableError(message),
        )
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
      () =>
        request.destroy(
          StatusListUnavailableError.transient(`${url.origin} did not answer within ${timeoutMillis} ms`),
        ),
      timeoutMillis,
    )
    request.on('close', () => clearTimeout(timer))
    request.on('error', (error) =>
      reject(
        error instanceof StatusListUnavailableError
          ? error
          : StatusListUnavailableError.transient(`${url.origin}: ${error.message}`, { cause: error as Error }),
      ),
    )
  })
}
