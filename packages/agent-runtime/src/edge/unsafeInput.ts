import { DomainError } from '@attesto/protocol-kit'
import type { RequestHandler } from 'express'

/** JSON nested deeper than this is refused before anything recursive (zod, DCQL, hashing) sees it. */
export const MAX_INPUT_DEPTH = 32

/** Why a value cannot be accepted as input, or undefined when it can. */
export type UnsafeInput = { code: 'input_too_deep' | 'invalid_string' | 'reserved_key'; message: string }

/**
 * Keys that reach object prototypes or constructors when client JSON is merged or transformed
 * into records (a `constructor` key in a stored DCQL query broke Credo's record layer): refused
 * at any depth.
 */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

const NUL = String.fromCharCode(0)
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** A string PostgreSQL and JSON consumers can hold: no NUL, no lone UTF-16 surrogate. */
export function isSafeString(value: string): boolean {
  return !value.includes(NUL) && !LONE_SURROGATE.test(value)
}

/**
 * Walks a parsed JSON value without recursion (so any depth is safe to inspect) and reports the
 * first problem: nesting deeper than `maxDepth`, a key or string with a NUL or a lone surrogate, or
 * a reserved key (`__proto__`, `constructor`, `prototype`).
 */
export function findUnsafeInput(value: unknown, maxDepth = MAX_INPUT_DEPTH): UnsafeInput | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }]
  while (stack.length > 0) {
    const { value: item, depth } = stack.pop() as { value: unknown; depth: number }
    if (typeof item === 'string') {
      if (!isSafeString(item)) return invalidString
      continue
    }
    if (item === null || typeof item !== 'object') continue
    if (depth >= maxDepth) return { code: 'input_too_deep', message: `Input nested deeper than ${maxDepth} levels` }
    for (const [key, child] of Object.entries(item)) {
      if (!isSafeString(key)) return invalidString
      if (RESERVED_KEYS.has(key)) return reservedKey
      stack.push({ value: child, depth: depth + 1 })
    }
  }
  return undefined
}

const reservedKey: UnsafeInput = {
  code: 'reserved_key',
  message: 'Keys named __proto__, constructor or prototype are not accepted at any depth: rename the field',
}

const invalidString: UnsafeInput = {
  code: 'invalid_string',
  message: 'A string contains a NUL character or a lone UTF-16 surrogate',
}

/**
 * A middleware that refuses (with `toError` of the problem) a request whose parsed body, query or
 * path holds input no handler should meet: too deep, or a NUL or lone surrogate in a string.
 * Runs after body parsing.
 */
export function unsafeInputGuard(toError: (problem: UnsafeInput, cause?: unknown) => Error): RequestHandler {
  return (request, _response, next) => {
    let path: string
    try {
      path = decodeURIComponent(request.path)
    } catch (cause) {
      return next(toError({ code: 'invalid_string', message: 'The path is not valid percent-encoding' }, cause))
    }
    const problem = findUnsafeInput({ path, query: request.query, body: request.body ?? null }, MAX_INPUT_DEPTH + 2)
    next(problem ? toError(problem) : undefined)
  }
}

/** {@link unsafeInputGuard} for the REST API: 400 with the problem's stable code. */
export const rejectUnsafeInput: RequestHandler = unsafeInputGuard(
  (problem, cause) => new DomainError(problem.code, problem.message, { cause }),
)
