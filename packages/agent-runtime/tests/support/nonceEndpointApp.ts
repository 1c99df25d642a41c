import express, { type Express } from 'express'
import type { EdgeConfig } from '../../src/config/edgeConfig.js'
import { mountEdge, protectProtocolEndpoints } from '../../src/edge/mountEdge.js'
import type { EdgeRateLimits } from '../../src/edge/rateLimits.js'
import { operation } from '../../src/routing/operation.js'

const nonce = operation({
  method: 'post',
  path: '/oid4vci/{issuerId}/nonce',
  operationId: 'requestNonce',
  responses: {},
  edge: { bucket: 'protocol' },
  undocumented: 'OpenID4VCI 1.0 §7',
})

/** An app with the public edge and one rate-limited protocol endpoint: `POST /oid4vci/:issuerId/nonce` (bucket `protocol`). */
export function nonceEndpointApp(edge: EdgeConfig, rateLimits: EdgeRateLimits): Express {
  const app = express()
  mountEdge(app, edge)
  protectProtocolEndpoints(app, rateLimits, [nonce])
  app.post(nonce.expressPath, (_request, response) => {
    response.json({ c_nonce: 'n' })
  })
  return app
}
