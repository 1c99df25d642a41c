import type { Operation } from '@attesto/agent-runtime'
import type { Request } from 'express'
import type { z } from 'zod'

/**
 * The body of `declared`, parsed with its declared schema, a request that has none read as `{}`
 * (as these routes always did: every field optional, or the missing ones named). The request
 * itself is left as it came, for its Idempotency-Key fingerprint.
 */
export function bodyOrEmpty<Params extends z.ZodObject, Query extends z.ZodObject, Body extends z.ZodType>(
  declared: Operation<Params, Query, Body>,
  request: Request,
): z.output<Body> {
  return declared.body({ body: request.body ?? {} } as Request)
}
