import { HttpError } from '@attesto/agent-runtime'
import { parse } from 'csv-parse/sync'
import { z } from 'zod'
import { type CredentialConfiguration, validateClaims } from '../issuance/credentialConfiguration.js'
import type { BatchRow } from './OfferBatchChunkRecord.js'
import type { InvalidRow } from './OfferBatchRecord.js'

/** What a batch is for; in the JSON body, or as query parameters next to a CSV body. */
export const batchTarget = z.object({
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

const jsonRows = z.object({ rows: z.array(z.record(z.string(), z.unknown())).min(1) })

/** Raw claim objects with their row numbers: JSON rows are numbered from 1, CSV rows by line. */
export function rowsFromBody(
  body: unknown,
  contentType: string | undefined,
  maxRows: number,
): { row: number; claims: Record<string, unknown> }[] {
  let rows: { row: number; claims: Record<string, unknown> }[]
  if (contentType?.startsWith('text/csv')) {
    if (typeof body !== 'string' || body.trim() === '') {
      throw new HttpError(400, 'invalid_csv', 'The CSV body is empty: send a header row of claim names, then rows')
    }
    let records: { record: Record<string, string>; info: { lines: number } }[]
    try {
      records = parse(body, { columns: true, skip_empty_lines: true, trim: true, info: true, bom: true })
    } catch (error) {
      throw new HttpError(400, 'invalid_csv', `The CSV body could not be read: ${(error as Error).message}`)
    }
    rows = records.map(({ record, info }) => ({ row: info.lines, claims: record }))
  } else {
    rows = jsonRows.parse(body).rows.map((claims, index) => ({ row: index + 1, claims }))
  }
  if (rows.length === 0) throw new HttpError(400, 'batch_empty', 'The batch has no rows')
  if (rows.length > maxRows) {
    throw new HttpError(413, 'batch_too_large', `A batch holds at most ${maxRows} rows; this one has ${rows.length}`)
  }
  return rows
}

/** CSV fields are text: each becomes the claim's type (an empty field is an absent claim). */
function typedClaims(configuration: CredentialConfiguration, claims: Record<string, unknown>) {
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
      if (!(error instanceof HttpError)) throw error
      invalid.push({ row, code: error.code, message: error.message })
    }
  }
  return { valid, invalid }
}
