import { DateOnly } from '@animo-id/mdoc'

const MAX_DEPTH = 16

/**
 * A data element's CBOR value as JSON, for results and DCQL `values`: a `full-date` (tag 1004)
 * as `YYYY-MM-DD`, a `tdate` (tag 0) as an ISO date-time, a byte string as base64url, maps as
 * objects, arrays element by element; text, numbers, booleans and null as they are.
 */
export function mdocValueToJson(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new Error('A data element is nested too deeply')
  if (value instanceof DateOnly) return value.toISOString()
  if (value instanceof Date) return value.toISOString()
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64url')
  if (typeof value === 'bigint') return value.toString()
  if (Array.isArray(value)) return value.map((item) => mdocValueToJson(item, depth + 1))
  if (value instanceof Map) {
    return Object.fromEntries(
      [...value.entries()].map(([key, item]) => [String(key), mdocValueToJson(item, depth + 1)]),
    )
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mdocValueToJson(item, depth + 1)]))
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value)
  return value
}

/** A CBOR map (the library decodes maps as `Map`) or an object, as an object; undefined otherwise. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  if (value instanceof Map) return Object.fromEntries([...value.entries()].map(([key, item]) => [String(key), item]))
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
  return undefined
}
