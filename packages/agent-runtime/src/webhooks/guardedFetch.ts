import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { guardedLookup, refusedIpLiteral } from '@attesto/did-cache'

export interface GuardedFetchOptions {
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
  timeoutMillis: number
  /** Allow http:// and loopback addresses (development and tests only). */
  allowInsecure: boolean
  /** The largest answer body read; a longer one fails the request. */
  maxBodyBytes?: number
  /** What the target is, for error messages (`Webhook`, `Identity provider`). */
  label?: string
}

export interface GuardedAnswer {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
}

/**
 * One HTTP exchange with a tenant-given URL, refusing private, link-local and (unless allowed)
 * loopback addresses (the did:web resolver's address policy, checked in the connection's own DNS
 * lookup), so a tenant cannot make the service reach its internal network. Redirects are not
 * followed. Rejects on network errors, on an answer larger than `maxBodyBytes` (64 KiB by
 * default) and when the whole exchange takes longer than `timeoutMillis`.
 */
export function guardedRequest(url: string, options: GuardedFetchOptions): Promise<GuardedAnswer> {
  const label = options.label ?? 'Webhook'
  const target = new URL(url)
  if (target.protocol !== 'https:' && !(options.allowInsecure && target.protocol === 'http:')) {
    return Promise.reject(new Error(`${label} URL must be https: ${target.protocol}`))
  }
  const policy = { allowLoopback: options.allowInsecure }
  const literal = refusedIpLiteral(target, policy)
  if (literal) return Promise.reject(new Error(`${label} host ${literal} is a refused address`))
  const lookup = guardedLookup(
    policy,
    (hostname) => new Error(`${label} host ${hostname} resolves to a refused address`),
  )
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest
  const maxBodyBytes = options.maxBodyBytes ?? 65_536
  const body = options.body ?? ''
  return new Promise<GuardedAnswer>((resolveRequest, rejectRequest) => {
    // The timeout bounds the whole exchange (connect, send, the answer to its last byte), not the
    // silence between bytes: an endpoint that drips its answer is cut off at the deadline.
    const deadline = setTimeout(() => {
      const error = new Error(`${label} did not complete within ${options.timeoutMillis} ms`)
      request.destroy(error)
      reject(error)
    }, options.timeoutMillis)
    const resolve = (answer: GuardedAnswer) => {
      clearTimeout(deadline)
      resolveRequest(answer)
    }
    const reject = (error: unknown) => {
      clearTimeout(deadline)
      rejectRequest(error)
    }
    const request = send(
      target,
      {
        method: options.method ?? 'POST',
        lookup,
        timeout: options.timeoutMillis,
        headers: {
          ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
          ...options.headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = []
        let size = 0
        response.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > maxBodyBytes) request.destroy(new Error(`${label} answer larger than ${maxBodyBytes} bytes`))
          else chunks.push(chunk)
        })
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
        )
        response.on('error', reject)
      },
    )
    request.on('timeout', () => request.destroy(new Error(`${label} timed out after ${options.timeoutMillis} ms`)))
    request.on('error', reject)
    request.end(options.body)
  })
}

/**
 * A `fetch` for OAuth client libraries (oauth4webapi's `customFetch`) that goes through
 * {@link guardedRequest}: GET and POST with string bodies, answers as a web `Response`.
 */
export function guardedFetch(
  options: Pick<GuardedFetchOptions, 'timeoutMillis' | 'allowInsecure' | 'label' | 'maxBodyBytes'>,
) {
  return async (url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown }) => {
    const headers = Object.fromEntries(new Headers(init.headers as ConstructorParameters<typeof Headers>[0]).entries())
    const body =
      init.body === undefined || init.body === null
        ? undefined
        : init.body instanceof URLSearchParams
          ? init.body.toString()
          : String(init.body)
    if (init.body instanceof URLSearchParams && !headers['content-type']) {
      headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8'
    }
    const answer = await guardedRequest(url, {
      ...options,
      method: init.method === 'POST' ? 'POST' : 'GET',
      headers,
      ...(body !== undefined ? { body } : {}),
    })
    const responseHeaders = new Headers()
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value)
    }
    const nullBody = answer.status === 204 || answer.status === 304
    return new Response(nullBody ? null : new Uint8Array(answer.body), {
      status: answer.status,
      headers: responseHeaders,
    })
  }
}
