import type { Readable } from 'node:stream'
import { DomainError } from '@attesto/protocol-kit'
import { parse } from 'csv-parse'
import { z } from 'zod'
import { type CredentialConfiguration, validateClaims } from '../issuers/credentialConfiguration.js'
import type { BatchRow } from './OfferBatchChunkRecord.js'
import type { InvalidRow } from './OfferBatchRecord.js'

/** What a batch is for; in the JSON body, or as query parameters next to a CSV body. */
export const batchTarget = z.strictObject({
  issuerId: z.string().min(1),
  credentialConfigurationId: z.string().min(1),
  expiresInSeconds: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .default(7 * 24 * 3600),
  /** Every offer requires a transaction code of this many digits. */
  txCodeLength: z.coerce.number().int().min(4).max(8).optional(),
})

const rowsInput = z.array(z.record(z.string(), z.unknown())).min(1)
export const jsonRows = z.object({ rows: rowsInput })

/** A JSON batch: its target and its rows, nothing else. */
export const jsonBatchInput = z.strictObject({ ...batchTarget.shape, rows: rowsInput })

type RawRow = { row: number; claims: Record<string, unknown> }

function checkRowCount(rows: RawRow[], maxRows: number): RawRow[] {
  if (rows.length === 0) throw new DomainError('batch_empty', 'The batch has no rows')
  if (rows.length > maxRows) {
    throw new DomainError('batch_too_large', `A batch holds at most ${maxRows} rows; this one has more`)
  }
  return rows
}

/** Raw claim objects of a JSON body (already parsed), numbered from 1. */
export function rowsFromJson(body: unknown, maxRows: number): RawRow[] {
  return checkRowCount(
    jsonRows.parse(body).rows.map((claims, index) => ({ row: index + 1, claims })),
    maxRows,
  )
}

/**
 * Raw claim objects of a CSV body with a header row, read as a stream from the request (never
 * buffered whole), numbered by line. Stops reading at `maxRows + 1` rows or `maxBytes` bytes.
 */
export async function rowsFromCsvStream(body: Readable, maxRows: number, maxBytes: number): Promise<RawRow[]> {
  const rows: RawRow[] = []
  let bytes = 0
  const parser = parse({ columns: true, skip_empty_lines: true, trim: true, info: true, bom: true })
  const tooLarge = (error: DomainError) => {
    body.unpipe(parser)
    body.resume()
    parser.destroy(error)
  }
  body.on('data', (chunk: Buffer) => {
    bytes += chunk.length
    if (bytes > maxBytes) tooLarge(new DomainError('payload_too_large', `The CSV body is over ${maxBytes} bytes`))
  })
  body.pipe(parser)
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>
      info: { lines: number }
    }>) {
      rows.push({ row: info.lines, claims: record })
      if (rows.length > maxRows) {
        tooLarge(new DomainError('batch_too_large', `A batch holds at most ${maxRows} rows; this one has more`))
        break
      }
    }
  } catch (error) {
    if (error instanceof DomainError) throw error
    throw new DomainError('invalid_csv', `The CSV body could not be read: ${(error as Error).message}`)
  }
  if (bytes === 0) {
    throw new DomainError('invalid_csv', 'The CSV body is empty: send a header row of claim names, then rows')
  }
  return checkRowCount(rows, maxRows)
}

/**
 * CSV fields are text: each becomes the claim's type (an empty field is an absent claim). The
 * claims of an mdoc configuration are grouped by namespace, so they come from JSON rows only, as they are.
 */
function typedClaims(configuration: CredentialConfiguration, claims: Record<string, unknown>) {
  if (configuration.format === 'mso_mdoc') return claims
  const types = new Map(configuration.claims.map((claim) => [claim.name, claim.type]))
  const typed: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(claims)) {
    if (typeof value !== 'string') {
      typed[name] = value
      continue
    }
    if (value === '') continue
    const type = types.get(name)
    typed[name] =
      type === 'number' && /^-?\d+(\.\d+)?$/.test(value)
        ? Number(value)
        : type === 'boolean' && (value === 'true' || value === 'false')
          ? value === 'true'
          : value
  }
  return typed
}

/** The column or property that carries a row's own idempotency key (no claim name has an `@`). */
export const ROW_KEY = '@key'

/** Splits rows into valid ones and, for the others, the reason with the row number. */
export function checkRows(
  configuration: CredentialConfiguration,
  rows: { row: number; claims: Record<string, unknown> }[],
): { valid: BatchRow[]; invalid: InvalidRow[] } {
  const valid: BatchRow[] = []
  const invalid: InvalidRow[] = []
  const keys = new Set<string>()
  for (const { row, claims: raw } of rows) {
    const { [ROW_KEY]: rawKey, ...claims } = raw
    const key = rawKey === undefined || rawKey === '' ? undefined : rawKey
    if (key !== undefined && (typeof key !== 'string' || key.length > 200)) {
      invalid.push({ row, code: 'row_key_invalid', message: `'${ROW_KEY}' must be a string of at most 200 characters` })
      continue
    }
    if (key !== undefined && keys.has(key)) {
      invalid.push({ row, code: 'row_key_repeated', message: `'${ROW_KEY}' '${key}' appears twice in this batch` })
      continue
    }
    if (key !== undefined) keys.add(key)
    const typed = typedClaims(configuration, claims)
    try {
      validateClaims(configuration, typed)
      valid.push({ row, claims: typed, ...(key !== undefined ? { key } : {}) })
    } catch (error) {
      if (!(error instanceof DomainError)) throw error
      invalid.push({ row, code: error.code, message: error.message })
    }
  }
  return { valid, invalid }
}
