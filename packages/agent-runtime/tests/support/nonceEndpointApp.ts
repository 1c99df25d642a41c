import express, { type Express } from 'express'
import type { EdgeConfig } from '../../src/config/edgeConfig.js'
import { mountEdge, protectProtocolEndpoints } from '../../src/edge/mountEdge.js'
import type { EdgeRateLimits } from '../../src/edge/rateLimits.js'

/** An app with the public edge and one rate-limited protocol endpoint: `POST /oid4vci/:issuerId/nonce` (bucket `protocol`). */
export function nonceEndpointApp(edge: EdgeConfig, rateLimits: EdgeRateLimits): Express {
  const app = express()
  mountEdge(app, edge)
  protectProtocolEndpoints(app, rateLimits, [{ method: 'post', path: '/oid4vci/:issuerId/nonce', bucket: 'protocol' }])
  app.post('/oid4vci/:issuerId/nonce', (_request, response) => {
    response.json({ c_nonce: 'n' })
  })
  return app
}
