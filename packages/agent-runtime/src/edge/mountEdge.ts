import type { Express } from 'express'
import type { EdgeConfig } from '../config/edgeConfig.js'
import { type BodyType, requireBodyType } from './bodyTypes.js'
import { cors } from './cors.js'
import type { AddressBucket, EdgeRateLimits } from './rateLimits.js'
import { securityHeaders } from './securityHeaders.js'

/**
 * The first middlewares of a service's app, before any route: the client address behind
 * `TRUST_PROXY_HOPS` balancers, no `X-Powered-By` and no computed `ETag`, helmet's security
 * headers, and CORS (public on protocol paths, an allow-list on the REST API).
 */
export function mountEdge(app: Express, config: EdgeConfig): void {
  app.disable('x-powered-by')
  // No ETag hashed over every answer's body: REST answers are `no-store`, protocol answers are
  // made per request, and the status lists set their own.
  app.set('etag', false)
  app.set('trust proxy', config.trustProxyHops)
  app.use(securityHeaders, cors(config.corsAllowedOrigins))
}

/** A protocol endpoint's edge: its rate-limit bucket and the body types it takes (415 otherwise). */
export interface ProtocolEndpointEdge {
  method: 'get' | 'post'
  /** An express path, as the protocol router mounts it (`/oid4vci/:issuerId/token`). */
  path: string
  bucket: AddressBucket
  body?: BodyType[]
}

/**
 * Puts the per-address rate limit and the body-type check in front of the role's protocol
 * endpoints; call it before the protocol routers are mounted. The endpoints themselves stay as
 * they are.
 */
export function protectProtocolEndpoints(
  app: Express,
  rateLimits: EdgeRateLimits,
  endpoints: readonly ProtocolEndpointEdge[],
): void {
  for (const endpoint of endpoints) {
    const handlers = [rateLimits.perAddress(endpoint.bucket)]
    if (endpoint.body) handlers.push(requireBodyType(endpoint.body))
    app[endpoint.method](endpoint.path, ...handlers)
  }
}
