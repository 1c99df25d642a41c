import { ProtocolError, protocolErrorHandler } from '@attesto/agent-runtime'
import type { Logger } from '@credo-ts/core'
import { Router } from 'express'
import type { IssuerDirectory } from '../issuers/IssuerDirectory.js'
import type { StatusListPublisher } from '../status/StatusListPublisher.js'
import { LIST_ID_PATTERN } from '../status/StatusLists.js'
import { knownIssuer } from './knownIssuer.js'

/**
 * `GET /oid4vci/:issuerId/status-lists/:listId`: the list's status list token
 * (`application/statuslist+jwt`), public, with `ETag` (and `304` on `If-None-Match`) and a
 * `Cache-Control: max-age` that ends when this instance may next re-sign it.
 */
export function statusListRouter(directory: IssuerDirectory, publisher: StatusListPublisher, logger: Logger): Router {
  const router = Router()
  router.get('/oid4vci/:issuerId/status-lists/:listId', async (request, response) => {
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
  })
  router.use('/oid4vci/:issuerId/status-lists', protocolErrorHandler(logger))
  return router
}
