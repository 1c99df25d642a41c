import type { LookupAddress } from 'node:dns'
import { lookup as dnsLookup } from 'node:dns'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP } from 'node:net'
import { isAllowedAddress } from '@attesto/did-cache'

export interface PostOptions {
  headers: Record<string, string>
  timeoutMillis: number
  /** Allow http:// and loopback addresses (development and tests only). */
  allowInsecure: boolean
}

/**
 * POSTs a JSON body to a tenant-given URL, refusing private, link-local and (unless allowed)
 * loopback addresses in the connection's own DNS lookup, so a webhook cannot reach the
 * service's internal network, and DNS rebinding between a check and the connection is moot.
 * Resolves with the status code; rejects on network errors and timeouts.
 */
export function postJson(url: string, body: string, options: PostOptions): Promise<number> {
  const target = new URL(url)
  if (target.protocol !== 'https:' && !(options.allowInsecure && target.protocol === 'http:')) {
    return Promise.reject(new Error(`Webhook URL must be https: ${target.protocol}`))
  }
  // An IP literal is connected to without a lookup: judge it here.
  const literal = target.hostname.replace(/^\[|\]$/g, '')
  if (isIP(literal) && !isAllowedAddress(literal, { allowLoopback: options.allowInsecure })) {
    return Promise.reject(new Error(`Webhook host ${literal} is a refused address`))
  }
  const lookup = (
    hostname: string,
    lookupOptions: object,
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, [])
      const allowed = addresses.filter(({ address }) =>
        isAllowedAddress(address, { allowLoopback: options.allowInsecure }),
      )
      if (allowed.length === 0) return callback(new Error(`Webhook host ${hostname} resolves to a refused address`), [])
      callback(null, allowed)
    })
  }
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const request = send(
      target,
      {
        method: 'POST',
        lookup: lookup as never,
        timeout: options.timeoutMillis,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...options.headers },
      },
      (response) => {
        response.resume()
        response.on('end', () => resolve(response.statusCode ?? 0))
        response.on('error', reject)
      },
    )
    request.on('timeout', () => request.destroy(new Error(`Webhook timed out after ${options.timeoutMillis} ms`)))
    request.on('error', reject)
    request.end(body)
  })
}
