import type { Request } from 'express'
import type { z } from 'zod'
import type { Operation } from './operation.js'

/**
 * The body of an operation whose body may be left out, parsed with its declared schema: no body
 * at all reads as `{}` (so its defaults apply, and a missing field is named by its own path).
 */
export function optionalBody<Body extends z.ZodType>(
  declared: Operation<z.ZodObject, z.ZodObject, Body>,
  request: Request,
): z.output<Body> {
  const schema = declared.spec.body?.schema
  if (!schema) throw new Error(`${declared.spec.operationId} declares no body`)
  return schema.parse(request.body ?? {}) as z.output<Body>
}
