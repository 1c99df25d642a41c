import { AsyncLocalStorage } from 'node:async_hooks'
import { randomUUID } from 'node:crypto'

/** The request id header: accepted from the caller when safe, generated otherwise, always answered. */
export const REQUEST_ID_HEADER = 'x-request-id'

/** At most 128 characters of letters, digits and `.`, `_`, `:`, `-` (a UUID, a ULID, a trace id). */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** The caller's `X-Request-Id` when it is safe to log and echo; a new UUID otherwise. */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && SAFE_REQUEST_ID.test(header) ? header : randomUUID()
}

interface RequestContext {
  requestId: string
}

/** The request being handled, through its async continuations (log lines, webhook events). */
export const requestContext = new AsyncLocalStorage<RequestContext>()

/** The id of the request this code runs for, if it runs for one. */
export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId
}
