import { ProtocolError, protocolErrorHandler, rejectUnsafeProtocolInput } from '@attesto/agent-runtime'
import type { StatusListTokenResolver } from '@attesto/did-cache'
import type { Logger } from '@credo-ts/core'
import express, { Router } from 'express'
import type { VerificationSessions } from '../verification/VerificationSessions.js'
import type { PresentationDecided } from '../webhooks/verifierWebhooks.js'
import { acceptAuthorizationResponse } from './acceptAuthorizationResponse.js'
import { signRequestObject } from './requestObject.js'
import type { VerifierDirectory } from './VerifierDirectory.js'

export interface ProtocolRoutesOptions {
  baseUrl: string
  directory: VerifierDirectory
  sessions: VerificationSessions
  decided: PresentationDecided
  statusLists: StatusListTokenResolver
  statusUnavailable: 'reject' | 'accept'
  logger: Logger
}

const notFound = () => new ProtocolError(404, 'invalid_request', 'No such open request')

/**
 * The OID4VP 1.0 endpoints, under `/oid4vp/{verifierId}`: the signed request object (`GET
 * authorization-requests/{requestId}`, one SELECT) and the response (`POST authorize`, one SELECT
 * and one UPDATE). Errors are OAuth-shaped.
 */
export function protocolRoutes(options: ProtocolRoutesOptions): Router {
  const router = Router()
  const { directory, sessions } = options

  router.get('/:verifierId/authorization-requests/:requestId', rejectUnsafeProtocolInput, async (request, response) => {
    const { verifierId, requestId } = request.params as { verifierId: string; requestId: string }
    const resolved = await directory.resolve(verifierId)
    if (!resolved) throw notFound()
    const session = await sessions.find(resolved.tenantContext.contextCorrelationId, requestId)
    if (!session || session.verifierId !== verifierId || session.state !== 'pending') throw notFound()
    if (Date.now() >= Date.parse(session.expiresAt)) {
      throw new ProtocolError(400, 'invalid_request', 'request_expired: The request has expired')
    }
    let { profile } = resolved
    if (session.responseMode === 'direct_post.jwt' && !session.responseKey && !profile.encryptionKey) {
      // A request made before per-request keys: its verifier's key may be newer than this instance's copy.
      directory.forget(verifierId)
      profile = (await directory.resolve(verifierId))?.profile ?? profile
    }
    const jwt = await signRequestObject(resolved.tenantContext, profile, requestId, session, options.baseUrl)
    response.status(200).type('application/oauth-authz-req+jwt').set('Cache-Control', 'no-store').send(jwt)
  })

  router.post(
    '/:verifierId/authorize',
    express.urlencoded({ extended: false, limit: '1mb' }),
    express.json({ limit: '1mb' }),
    rejectUnsafeProtocolInput,
    async (request, response) => {
      const body = request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {}
      // OID4VP 1.0 §8.2: 200 with a JSON object; `redirect_uri` (with the response code) in the same-device flow.
      const answer = await acceptAuthorizationResponse(options, request.params.verifierId as string, body)
      response.status(200).set('Cache-Control', 'no-store').json(answer)
    },
  )

  router.use(protocolErrorHandler(options.logger))
  return router
}
