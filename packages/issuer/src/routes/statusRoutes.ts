import {
  type BoundRoute,
  feature,
  openApi,
  operation,
  queueUnavailable,
  type TenantRequestLocals,
} from '@attesto/agent-runtime'
import { DomainError } from '@attesto/protocol-kit'
import express from 'express'
import { z } from 'zod'
import type { CredentialStatusService } from '../status/CredentialStatusService.js'
import type { StatusChangeQueue } from '../status/StatusChangeQueue.js'
import { statusChangeBatchResponse, statusChangeResponse } from './responses.js'

const { answer, errors } = openApi

export const statusValue = z.enum(['valid', 'revoked', 'suspended'])
export const changeInput = z.strictObject({ status: statusValue })
const offerId = z.string().regex(/^[0-9a-f-]{36}$/, 'an offer id')
const MAX_BULK = 100_000
/** Up to 100,000 offer ids (about 4 MB as JSON). */
const MAX_BULK_BYTES = 8 * 1024 * 1024
export const bulkInput = z.strictObject({ status: statusValue, offerIds: z.array(offerId).min(1).max(MAX_BULK) })

/** Offer ids from a CSV body: one per line, or the `offerId` column when a header names it. */
function offerIdsFromCsv(text: string): string[] {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
  const header = lines[0]?.split(',').map((cell) => cell.trim().replace(/^"|"$/g, ''))
  const column = header?.indexOf('offerId') ?? -1
  const rows = column >= 0 ? lines.slice(1) : lines
  return rows.map((line) => (line.split(',')[Math.max(column, 0)] ?? '').trim().replace(/^"|"$/g, ''))
}

const TAGS = ['Credential status']

export const changeCredentialStatus = operation({
  method: 'post',
  path: '/offers/{offerId}/status',
  operationId: 'changeCredentialStatus',
  tags: TAGS,
  summary:
    "Set the status of the credential an offer yielded: revoked, suspended, or valid (reinstates a suspended one; a revoked credential stays revoked). Published in the issuer's status list within STATUS_LIST_UPDATE_INTERVAL_SECONDS",
  params: z.object({ offerId: z.string() }),
  body: { required: true, schema: changeInput.meta({ examples: [{ status: 'revoked' }] }) },
  responses: {
    '200': answer('The status now (`changed` false when it was already that)', statusChangeResponse),
    ...errors(400, 401, 404),
    '409': {
      ...errors(409)['409'],
      description: '`credential_revoked` (a revoked credential cannot change) or `suspension_not_supported`',
    },
  },
})

export const createStatusChangeBatch = operation({
  method: 'post',
  path: '/status-change-batches',
  operationId: 'createStatusChangeBatch',
  tags: TAGS,
  summary:
    'Change the status of many credentials at once (JSON `{ status, offerIds }`, or CSV of offer ids, one per line or in an `offerId` column, with `?status=`); a queue worker applies them',
  query: z.object({ status: statusValue.optional().meta({ description: 'With a CSV body only' }) }),
  body: {
    required: true,
    schema: bulkInput.meta({
      id: 'StatusChangeBatchInput',
      examples: [{ status: 'revoked', offerIds: ['5b0e3a52-6d0b-4f53-9c1a-0e7f7d2a9b41'] }],
    }),
    otherMediaTypes: {
      'text/csv': { schema: { type: 'string' }, example: 'offerId\n5b0e3a52-6d0b-4f53-9c1a-0e7f7d2a9b41\n' },
    },
  },
  responses: { '202': answer('Queued', statusChangeBatchResponse), ...errors(400, 401, 503) },
  edge: { bodyTypes: ['json', 'csv'], largeBody: true },
})

export const getStatusChangeBatch = operation({
  method: 'get',
  path: '/status-change-batches/{batchId}',
  operationId: 'getStatusChangeBatch',
  tags: TAGS,
  summary: 'A bulk status change: queued, running, finished (with what it did) or failed',
  params: z.object({ batchId: z.string() }),
  responses: { '200': answer('OK', statusChangeBatchResponse), ...errors(401, 404) },
})

/** The credential-status operations (docs/REVOCATION.md). */
export const STATUS_OPERATIONS = [changeCredentialStatus, createStatusChangeBatch, getStatusChangeBatch]

/**
 * `POST /offers/:offerId/status` sets the status of the credential an offer yielded (`revoked`,
 * `suspended`, or `valid` to reinstate a suspended one; a revoked credential stays revoked);
 * `POST /status-change-batches` (JSON `{ status, offerIds }`, or CSV with `?status=`) queues a
 * bulk change; `GET /status-change-batches/:batchId` reports it. Another tenant's credential or
 * batch is not found.
 */
export function statusRoutes(service: CredentialStatusService, queue: StatusChangeQueue | undefined): BoundRoute[] {
  const change = changeCredentialStatus.handle(async (request, response) => {
    const { tenant } = response.locals as TenantRequestLocals
    const id = changeCredentialStatus.params(request).offerId
    const { status } = changeCredentialStatus.body(request)
    const change = await service.change(tenant.id, id, status)
    if (change.outcome === 'not_found') {
      throw new DomainError(
        'credential_status_not_found',
        `No revocable credential was issued on offer '${id}' in this tenant`,
      )
    }
    if (change.outcome === 'refused') {
      throw change.row.state === 'revoked'
        ? new DomainError('credential_revoked', 'The credential is revoked; a revoked credential cannot change status')
        : new DomainError('suspension_not_supported', "The credential's configuration does not allow suspension")
    }
    response.set('Cache-Control', 'no-store').json({
      offerId: id,
      status: change.row.state,
      changed: change.outcome === 'changed',
      ...(change.row.changedAt ? { changedAt: change.row.changedAt } : {}),
    })
  })

  const createBatch = createStatusChangeBatch.handle(
    [
      express.text({ type: 'text/csv', limit: MAX_BULK_BYTES }),
      async (request, response) => {
        const { tenant } = response.locals as TenantRequestLocals
        if (!queue)
          throw queueUnavailable('Bulk status changes need the queue: configure REDIS_URL or REDIS_CLUSTER_NODES')
        const input = request.is('text/csv')
          ? bulkInput.parse({
              status: createStatusChangeBatch.query(request).status,
              offerIds: offerIdsFromCsv(String(request.body)),
            })
          : createStatusChangeBatch.body(request)
        const offerIds = [...new Set(input.offerIds)]
        const batchId = await queue.add({ tenantId: tenant.id, status: input.status, offerIds })
        response.status(202).json({ batchId, status: input.status, count: offerIds.length, state: 'queued' })
      },
    ],
    { maxBodyBytes: MAX_BULK_BYTES },
  )

  const getBatch = getStatusChangeBatch.handle(async (request, response) => {
    const { tenant } = response.locals as TenantRequestLocals
    const batchId = getStatusChangeBatch.params(request).batchId
    const read = async () => (queue ? await queue.get(tenant.id, batchId) : undefined)
    let job = await read()
    if (!job) throw new DomainError('batch_not_found', `No status change batch '${batchId}' in this tenant`)
    const state = await job.getState()
    // Read before it completed: read again for its result.
    if (state === 'completed' && !job.returnvalue) job = (await read()) ?? job
    response.set('Cache-Control', 'no-store').json({
      batchId,
      status: job.data.status,
      count: job.data.offerIds.length,
      state:
        state === 'completed' ? 'finished' : state === 'failed' ? 'failed' : state === 'active' ? 'running' : 'queued',
      processed: state === 'completed' ? job.data.offerIds.length : Number(job.progress) || 0,
      ...(job.returnvalue ? { result: job.returnvalue } : {}),
    })
  })

  return [change, createBatch, getBatch]
}

/** Revocation and suspension of issued credentials. */
export const credentialStatusFeature = feature<{
  credentialStatus: CredentialStatusService
  statusChanges: StatusChangeQueue | undefined
}>({
  name: 'credential status',
  tags: [['Credential status', 'Revocation and suspension through Token Status Lists']],
  operations: STATUS_OPERATIONS,
  routes: ({ credentialStatus, statusChanges }) => statusRoutes(credentialStatus, statusChanges),
})
