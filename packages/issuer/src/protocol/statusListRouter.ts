import { type Operation, operation, ProtocolError, protocolErrorHandler, routerOf } from '@attesto/agent-runtime'
import type { Logger } from '@credo-ts/core'
import type { Router } from 'express'
import type { IssuerDirectory } from '../issuers/IssuerDirectory.js'
import type { StatusListPublisher } from '../status/StatusListPublisher.js'
import { LIST_ID_PATTERN } from '../status/StatusLists.js'
import { knownIssuer } from './knownIssuer.js'

export const getStatusList = operation({
  method: 'get',
  path: '/oid4vci/{issuerId}/status-lists/{listId}',
  operationId: 'getStatusList',
  responses: {},
  undocumented: 'Token Status List (draft-ietf-oauth-status-list-14): the status list request and response',
})

/** The public status list endpoint: cached by relying parties, not rate limited. */
export const STATUS_LIST_OPERATIONS: readonly Operation[] = [getStatusList]

/**
 * `GET /oid4vci/:issuerId/status-lists/:listId`: the list's status list token
 * (`application/statuslist+jwt`), public, with `ETag` (and `304` on `If-None-Match`) and a
 * `Cache-Control: max-age` that ends when this instance may next re-sign it.
 */
export function statusListRouter(directory: IssuerDirectory, publisher: StatusListPublisher, logger: Logger): Router {
  const router = routerOf([
    getStatusList.handle(async (request, response) => {
      const listId = request.params.listId as string
      const notFound = () => new ProtocolError(404, 'invalid_request', `Unknown status list '${listId}'`)
      if (!LIST_ID_PATTERN.test(listId)) throw notFound()
      const issuer = await knownIssuer(directory.get(request.params.issuerId as string))
      const token = await publisher.current(issuer, listId)
      if (!token) throw notFound()
      const maxAge = Math.max(0, Math.floor((token.freshUntil - Date.now()) / 1000))
      response.set({ 'Cache-Control': `public, max-age=${maxAge}`, ETag: token.etag })
      if (request.headers['if-none-match'] === token.etag) {
        response.status(304).end()
        return
      }
      response.status(200).type('application/statuslist+jwt').send(token.jwt)
    }),
  ])
  router.use('/oid4vci/:issuerId/status-lists', protocolErrorHandler(logger))
  return router
}
