import { guardedRequest } from './guardedFetch.js'

export interface PostOptions {
  headers: Record<string, string>
  timeoutMillis: number
  /** Allow http:// and loopback addresses (development and tests only). */
  allowInsecure: boolean
}

/**
 * POSTs a JSON body to a tenant-given URL through {@link guardedRequest} (refused addresses, one
 * deadline for the whole delivery, at most 64 KiB of the answer read), so a webhook cannot reach
 * the service's internal network. Resolves with the status code.
 */
export async function postJson(url: string, body: string, options: PostOptions): Promise<number> {
  const answer = await guardedRequest(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body,
    timeoutMillis: options.timeoutMillis,
    allowInsecure: options.allowInsecure,
  })
  return answer.status
}
