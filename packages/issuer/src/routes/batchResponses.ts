import { z } from 'zod'

/**
 * What the issuer's offer-batch routes answer (a batch's progress, its rows' results), as zod
 * schemas: the OpenAPI document is generated from them.
 */

const dateTime = z.iso.datetime({ offset: true })
const uuid = '5b0e3a52-6d0b-4f53-9c1a-0e7f7d2a9b41'

const invalidRow = z.object({ row: z.number().int(), code: z.string(), message: z.string() })

export const offerBatchResponse = z
  .object({
    batchId: z.string(),
    status: z.enum(['in_progress', 'finished']),
    total: z.number().int(),
    done: z.number().int().meta({ description: 'offers made' }),
    failed: z.number().int().meta({ description: 'invalid rows, and rows given up after every retry' }),
    pending: z.number().int(),
    invalidRows: z.number().int(),
    createdAt: dateTime,
    finishedAt: dateTime.optional(),
    invalid: z.array(invalidRow).max(100).meta({ description: 'The first 100 invalid rows' }),
  })
  .meta({
    id: 'OfferBatch',
    examples: [
      {
        batchId: uuid,
        status: 'in_progress',
        total: 3,
        done: 1,
        failed: 1,
        pending: 1,
        invalidRows: 1,
        createdAt: '2026-06-30T12:00:00.000Z',
        invalid: [{ row: 3, code: 'claim_missing', message: "Claim 'given_name' is required" }],
      },
    ],
  })

const offeredRow = z.object({
  row: z.number().int(),
  status: z.literal('offered'),
  offerId: z.string(),
  uri: z.string(),
  txCode: z.string().optional(),
  expiresAt: dateTime,
  duplicateOf: z
    .object({ batchId: z.string(), row: z.number().int() })
    .optional()
    .meta({ description: "The row whose '@key' this row repeats: the offer is that row's" }),
})
const failedRow = z.object({
  row: z.number().int(),
  status: z.enum(['failed', 'invalid']),
  error: z.object({ code: z.string(), message: z.string() }),
})
const pendingRow = z.object({ row: z.number().int(), status: z.literal('pending') })

export const offerBatchResultsResponse = z
  .object({
    ...offerBatchResponse.omit({ invalid: true }).shape,
    rows: z.array(z.discriminatedUnion('status', [offeredRow, failedRow, pendingRow]).meta({ id: 'OfferBatchRow' })),
  })
  .meta({ id: 'OfferBatchResults' })
