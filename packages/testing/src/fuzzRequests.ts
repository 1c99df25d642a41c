import fc from 'fast-check'

/** One endpoint to fuzz: `:name` segments of `path` are filled with fuzzed values. */
export interface FuzzedEndpoint {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  path: string
  /** The bearer credential a well-behaved caller would send (the fuzz also sends others, and none). */
  bearer?: string
  /** A body a well-behaved caller would send, which the fuzz alters. */
  example?: unknown
  /** Real values of the path's `:name` segments (used half of the time). */
  values?: Record<string, string>
  /**
   * Headers a well-behaved caller would send (a DPoP proof, a wallet attestation): each is sent
   * as given, left out, replaced by junk, or as a JWT with one part altered or cut.
   */
  headers?: Record<string, string>
}

const nasty = fc.constantFrom(
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '__proto__',
  'constructor',
  'toString',
  '%00',
  '%',
  '%E0%A4%A',
  '../../etc/passwd',
  '',
  ' ',
  'x'.repeat(5_000),
  '0000-01-01',
  '2024-02-31',
  '{"a":',
  'null',
  '-1',
  '1e309',
  '\u202e',
  '🙂',
)
const text = fc.oneof(nasty, fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }))
/** Percent-encodes a value; a lone surrogate (which has no UTF-8) becomes its invalid CESU-8 bytes. */
function encode(value: string): string {
  try {
    return encodeURIComponent(value)
  } catch {
    return '%ED%A0%80'
  }
}
const deep = (depth: number, key = 'a') => `${`{"${key}":[`.repeat(depth)}1${']}'.repeat(depth)}`

/** A value that looks like JSON a client might send, with the nasty strings and keys mixed in. */
const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(nasty, fc.string({ maxLength: 12 })), tie('value'), { maxKeys: 4 }),
  ),
})).value

/** The paths of every object inside `value` (the value itself included), to add keys at any depth. */
function objectPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return []
  const children = Object.entries(value).flatMap(([key, child]) =>
    objectPaths(child, [...path, Array.isArray(value) ? Number(key) : key]),
  )
  return Array.isArray(value) ? children : [path, ...children]
}

/** JSON text of `example` with a `key` holding `value` added to the object at `path` (an own key, even `__proto__`). */
function withKeyAt(example: unknown, path: (string | number)[], key: string, value: unknown): string {
  const copy = JSON.parse(JSON.stringify(example))
  const target = path.reduce((node, step) => node[step], copy)
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  return JSON.stringify(copy)
}

/** The example with `__proto__`, `constructor` or `prototype` added at any depth, holding an object or a string. */
function reservedKeys(example: unknown): fc.Arbitrary<{ contentType?: string; body?: string }> {
  const paths = objectPaths(example)
  if (paths.length === 0) return fc.constant({ contentType: 'application/json', body: '{"constructor":{}}' })
  return fc
    .tuple(
      fc.constantFrom(...paths),
      fc.constantFrom('__proto__', 'constructor', 'prototype'),
      fc.constantFrom({ prototype: { polluted: 'yes' } }, { polluted: 'yes' }, 'x', 1),
    )
    .map(([path, key, value]) => ({ contentType: 'application/json', body: withKeyAt(example, path, key, value) }))
}

/** A body: altered example, reserved keys at any depth, random JSON, broken JSON, deep nesting, a form, or nothing. */
function bodies(example: unknown): fc.Arbitrary<{ contentType?: string; body?: string }> {
  const json = (value: unknown) => ({ contentType: 'application/json', body: JSON.stringify(value) ?? 'null' })
  const altered =
    example && typeof example === 'object'
      ? fc
          .tuple(fc.constantFrom(...Object.keys(example as object), '__proto__', 'constructor', 'extra'), jsonish)
          .map(([key, value]) => json({ ...(example as object), [key]: value }))
      : jsonish.map(json)
  return fc.oneof(
    altered,
    altered,
    reservedKeys(example),
    jsonish.map(json),
    fc.constantFrom(
      { contentType: 'application/json', body: '{"a":' },
      { contentType: 'application/json', body: '' },
      { contentType: 'application/json', body: '\u0000' },
      { contentType: 'application/json', body: '"\\ud800"' },
      { contentType: 'application/json', body: deep(2_000) },
      { contentType: 'application/json', body: `{"x":${'['.repeat(50_000)}${']'.repeat(50_000)}}` },
      { contentType: 'application/json', body: '{"__proto__":{"polluted":1},"constructor":{"prototype":{}}}' },
      { contentType: 'application/json; charset=latin-7', body: '{}' },
      { contentType: 'application/x-www-form-urlencoded', body: 'a=%00&b=%E0%A4%A&c' },
      { contentType: 'application/x-www-form-urlencoded', body: `grant_type=${'x'.repeat(2_000_000)}` },
      { contentType: 'text/csv', body: 'name\n\u0000' },
      { contentType: 'application/octet-stream', body: '\u0000\u0001' },
      {},
    ),
    text.map((body) => ({ contentType: 'application/json', body })),
    text.map((body) => ({
      contentType: 'application/x-www-form-urlencoded',
      body: `grant_type=${encode(body)}`,
    })),
  )
}

const headerValue = fc.oneof(
  fc.constantFrom('Bearer ', 'Bearer atk..', 'Bearer atk.x.y.z', 'Basic Zm9vOmJhcg==', 'Bearer \u00ff'),
  fc.string({ maxLength: 30 }).map((value) => value.replace(/[^\x20-\x7e]/g, '')),
)

/** A JWT-shaped header value altered: a part replaced by fuzzed text, the signature cut, parts added or dropped. */
function alteredJwt(example: string): fc.Arbitrary<string> {
  const parts = example.split('.')
  return fc.oneof(
    fc
      .tuple(
        fc.nat(parts.length - 1),
        fc.oneof(
          text,
          jsonish.map((value) => Buffer.from(JSON.stringify(value) ?? '').toString('base64url')),
        ),
      )
      .map(([index, value]) => parts.map((part, at) => (at === index ? value : part)).join('.')),
    fc.constantFrom(parts.slice(0, -1).join('.'), `${example}.x`, `${example}, ${example}`, `${example}~${example}`),
  )
}

const exampleHeaders = (headers: Record<string, string> = {}) =>
  fc.record(
    Object.fromEntries(
      Object.entries(headers).map(([name, example]) => [
        name,
        fc.oneof(fc.constant(example), fc.constant(undefined), headerValue, alteredJwt(example)),
      ]),
    ) as Record<string, fc.Arbitrary<string | undefined>>,
  )

/**
 * Sends `runs` fuzzed requests to each endpoint (bodies, path parameters, query strings,
 * Authorization, Content-Type and Idempotency-Key headers, and the endpoint's own headers) and answers every one that got a 5xx,
 * with what was sent.
 */
export async function fuzzEndpoints(
  baseUrl: string,
  endpoints: FuzzedEndpoint[],
  runs: number,
  seed = 42,
): Promise<{ request: string; status: number }[]> {
  const failures: { request: string; status: number }[] = []
  for (const endpoint of endpoints) {
    const request = fc.record({
      params: fc.array(fc.oneof(fc.constant(undefined), fc.constant(undefined), text), { minLength: 4, maxLength: 4 }),
      query: fc.option(fc.dictionary(fc.oneof(nasty, fc.string({ maxLength: 8 })), text, { maxKeys: 3 })),
      body: bodies(endpoint.example),
      authorization: fc.oneof(fc.constant(endpoint.bearer), fc.constant(undefined), headerValue),
      idempotencyKey: fc.option(fc.oneof(fc.constantFrom('k', 'k'.repeat(300), 'ü'), fc.string({ maxLength: 10 }))),
      extra: exampleHeaders(endpoint.headers),
    })
    await fc.assert(
      fc.asyncProperty(request, async ({ params, query, body, authorization, idempotencyKey, extra }) => {
        let index = 0
        const path = endpoint.path.replace(/:[A-Za-z]+/g, (name) => {
          const value = params[index++]
          return value === undefined ? (endpoint.values?.[name.slice(1)] ?? name.slice(1)) : encode(value)
        })
        const search = query
          ? `?${Object.entries(query)
              .map(([key, value]) => `${encode(key)}=${encode(value)}`)
              .join('&')}`
          : ''
        const headers: Record<string, string> = {}
        for (const [name, value] of Object.entries(extra)) {
          if (typeof value === 'string') headers[name] = value.replace(/[^\x20-\x7e]/g, '')
        }
        if (authorization !== undefined && authorization !== null) headers.authorization = authorization
        if (body.contentType) headers['content-type'] = body.contentType
        if (typeof idempotencyKey === 'string') headers['idempotency-key'] = idempotencyKey.replace(/[^\x20-\x7e]/g, '')
        const hasBody = endpoint.method !== 'GET' && body.body !== undefined
        const status = await fetch(`${baseUrl}${path}${search}`, {
          method: endpoint.method,
          headers,
          body: hasBody ? body.body : undefined,
        }).then(
          async (response) => {
            await response.arrayBuffer().catch(() => undefined)
            return response.status
          },
          () => 0,
        )
        // 0: the connection was closed on an oversized body before it was sent whole (not a 5xx).
        if (status >= 500) {
          failures.push({
            request: `${endpoint.method} ${path}${search} ${JSON.stringify(headers)} ${hasBody ? (body.body ?? '').slice(0, 200) : ''}`,
            status,
          })
        }
      }),
      { numRuns: runs, seed, endOnFailure: false },
    )
  }
  return failures
}

/**
 * The webhook endpoints every role serves (agent-runtime's webhook routes), to fuzz: `event` is
 * one the role sends, `values` must name a `webhookId` and a `deliveryId`.
 */
export function webhookEndpoints(bearer: string, values: Record<string, string>, event: string): FuzzedEndpoint[] {
  return [
    { method: 'POST', path: '/webhooks', bearer, example: { url: 'https://a.example/h', events: [event] } },
    { method: 'GET', path: '/webhooks', bearer },
    { method: 'DELETE', path: '/webhooks/:webhookId', bearer, values },
    { method: 'GET', path: '/webhooks/dead-letters', bearer },
    { method: 'POST', path: '/webhooks/dead-letters/:deliveryId/redeliver', bearer, values },
  ]
}

/** A list filter's timestamp as a client might send it: maybe absent, an ISO date, or any string. */
export const fuzzedTimestamp = fc.option(
  fc.oneof(
    fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
    fc.string({ maxLength: 30 }),
  ),
)
