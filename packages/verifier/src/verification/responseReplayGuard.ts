import { createHash } from 'node:crypto'
import { storageServiceOf } from '@attesto/agent-runtime'
import { type AgentContext, type Logger, RecordDuplicateError } from '@credo-ts/core'
import express, { type RequestHandler } from 'express'
import { ReceivedResponseRecord } from './ReceivedResponseRecord.js'

/** Longest request lifetime the API accepts; a response fingerprint is kept this long. */
export const MAX_REQUEST_LIFETIME_SECONDS = 7 * 24 * 60 * 60

/**
 * Express handlers, to run before Credo's OID4VP response endpoint, that refuse an authorisation
 * response the verifier has already received (the same encrypted `response`, or the same
 * `vp_token`), whichever request it is posted to. The fingerprint is stored before Credo verifies
 * the response, so two concurrent copies cannot both pass; it is removed again when the verifier
 * fails with a 5xx, so that a wallet may retry after a fault of ours.
 *
 * Replays are answered `400 invalid_request` with an `error_description` starting
 * `replayed_response`, and the request they target is left untouched.
 */
export function responseReplayGuard(rootContext: () => AgentContext, logger: Logger): RequestHandler[] {
  const guard: RequestHandler = async (request, response, next) => {
    const body = request.body as Record<string, unknown> | undefined
    const submitted = body?.response ?? body?.vp_token
    if (submitted === undefined) return next()
    const fingerprint = createHash('sha256')
      .update(typeof submitted === 'string' ? submitted : JSON.stringify(submitted))
      .digest('hex')
    const context = rootContext()
    const storage = storageServiceOf<ReceivedResponseRecord>(context)
    try {
      await storage.save(context, new ReceivedResponseRecord({ id: fingerprint }))
    } catch (error) {
      if (!(error instanceof RecordDuplicateError)) return next(error)
      logger.warn('Refused a replayed authorisation response', { path: request.path })
      return response.status(400).json({
        error: 'invalid_request',
        error_description:
          'replayed_response: this authorisation response was already submitted; a wallet must answer each request with a new presentation',
      })
    }
    response.on('finish', () => {
      if (response.statusCode < 500) return
      storage.deleteById(context, ReceivedResponseRecord, fingerprint).catch((error: unknown) => {
        logger.error('Could not release the fingerprint of a failed authorisation response', { error })
      })
    })
    next()
  }
  return [express.urlencoded({ extended: false, limit: '1mb' }), express.json({ limit: '1mb' }), guard]
}
