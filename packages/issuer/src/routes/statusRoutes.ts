import { HttpError, queueUnavailable, type TenantRequestLocals } from '@attesto/agent-runtime'
import express, { Router } from 'express'
import { z } from 'zod'
import type { CredentialStatusService } from '../status/CredentialStatusService.js'
import type { StatusChangeQueue } from '../status/StatusChangeQueue.js'

export const statusValue = z.enum(['valid', 'revoked', 'suspended'])
export const changeInput = z.strictObject({ status: statusValue })
const offerId = z.string().regex(/^[0-9a-f-]{36}$/, 'an offer id')
const MAX_BULK = 100_000
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

/**
 * `POST /offers/:offerId/status` sets the status of the credential an offer yielded (`revoked`,
 * `suspended`, or `valid` to reinstate a suspended one; a revoked credential stays revoked);
 * `POST /status-change-batches` (JSON `{ status, offerIds }`, or CSV with `?status=`) queues a
 * bulk change; `GET /status-change-batches/:batchId` reports it. Another tenant's credential or
 * batch is not found.
 */
export function statusRoutes(service: CredentialStatusService, queue: StatusChangeQueue | undefined): Router {
  const router = Router()

  router.post('/offers/:offerId/status', async (request, response) => {
    const { tenant } = response.locals as TenantRequestLocals
    const id = request.params.offerId as string
    const { status } = changeInput.parse(request.body)
    const change = await service.change(tenant.id, id, status)
    if (change.outcome === 'not_found') {
      throw new HttpError(
        404,
        'credential_status_not_found',
        `No revocable credential was issued on offer '${id}' in this tenant`,
      )
    }
    if (change.outcome === 'refused') {
      throw change.row.state === 'revoked'
        ? new HttpError(
            409,
            'credential_revoked',
            'The credential is revoked; a revoked credential cannot change status',
          )
        : new HttpError(409, 'suspension_not_supported', "The credential's configuration does not allow suspension")
    }
    response.set('Cache-Control', 'no-store').json({
      offerId: id,
      status: change.row.state,
      changed: change.outcome === 'changed',
      ...(change.row.changedAt ? { changedAt: change.row.changedAt } : {}),
    })
  })

  router.post('/status-change-batches', express.text({ type: 'text/csv', limit: '8mb' }), async (request, response) => {
    const { tenant } = response.locals as TenantRequestLocals
    if (!queue) throw queueUnavailable('Bulk status changes need the queue: configure REDIS_URL or REDIS_CLUSTER_NODES')
    const input = request.is('text/csv')
      ? bulkInput.parse({ status: request.query.status, offerIds: offerIdsFromCsv(String(request.body)) })
      : bulkInput.parse(request.body)
    const offerIds = [...new Set(input.offerIds)]
    const batchId = await queue.add({ tenantId: tenant.id, status: input.status, offerIds })
    response.status(202).json({ batchId, status: input.status, count: offerIds.length, state: 'queued' })
  })

  router.get('/status-change-batches/:batchId', async (request, response) => {
    const { tenant } = response.locals as TenantRequestLocals
    const batchId = request.params.batchId as string
    const read = async () => (queue ? await queue.get(tenant.id, batchId) : undefined)
    let job = await read()
    if (!job) throw new HttpError(404, 'batch_not_found', `No status change batch '${batchId}' in this tenant`)
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

  return router
}
