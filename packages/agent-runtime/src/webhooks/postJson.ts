import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { guardedLookup, refusedIpLiteral } from '@attesto/did-cache'

export interface PostOptions {
  headers: Record<string, string>
  timeoutMillis: number
  /** Allow http:// and loopback addresses (development and tests only). */
  allowInsecure: boolean
}

/**
 * POSTs a JSON body to a tenant-given URL, refusing private, link-local and (unless allowed)
 * loopback addresses (the did:web resolver's address policy, checked in the connection's own DNS
 * lookup), so a webhook cannot reach the service's internal network.
 * Resolves with the status code; rejects on network errors and when the whole exchange takes
 * longer than `timeoutMillis`.
 */
export function postJson(url: string, body: string, options: PostOptions): Promise<number> {
  const target = new URL(url)
  if (target.protocol !== 'https:' && !(options.allowInsecure && target.protocol === 'http:')) {
    return Promise.reject(new Error(`Webhook URL must be https: ${target.protocol}`))
  }
  const policy = { allowLoopback: options.allowInsecure }
  const literal = refusedIpLiteral(target, policy)
  if (literal) return Promise.reject(new Error(`Webhook host ${literal} is a refused address`))
  const lookup = guardedLookup(
    policy,
    (hostname) => new Error(`Webhook host ${hostname} resolves to a refused address`),
  )
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise<number>((resolvePost, rejectPost) => {
    // The timeout bounds the whole delivery (connect, send, the answer to its last byte), not the
    // silence between bytes: an endpoint that drips its answer is cut off at the deadline.
    const deadline = setTimeout(() => {
      const error = new Error(`Webhook did not complete within ${options.timeoutMillis} ms`)
      request.destroy(error)
      reject(error)
    }, options.timeoutMillis)
    const resolve = (status: number) => {
      clearTimeout(deadline)
      resolvePost(status)
    }
    const reject = (error: unknown) => {
      clearTimeout(deadline)
      rejectPost(error)
    }
    const request = send(
      target,
      {
        method: 'POST',
        lookup,
        timeout: options.timeoutMillis,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...options.headers },
      },
      (response) => {
        // The answer's body is not needed: at most 64 KiB of it is read, then the connection closes.
        let size = 0
        response.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > 65_536) request.destroy(new Error('Webhook answer larger than 64 KiB'))
        })
        response.on('end', () => resolve(response.statusCode ?? 0))
        response.on('error', reject)
      },
    )
    request.on('timeout', () => request.destroy(new Error(`Webhook timed out after ${options.timeoutMillis} ms`)))
    request.on('error', reject)
    request.end(body)
  })
}
