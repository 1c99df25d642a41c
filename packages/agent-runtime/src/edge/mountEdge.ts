import type { Express, RequestHandler } from 'express'
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

/**
 * A protocol endpoint as it is declared (an `Operation` of `routing/`, which satisfies this): the
 * express path its router mounts it at, its method, and its edge (rate-limit bucket, body types).
 */
export interface ProtocolEndpoint {
  readonly expressPath: string
  readonly spec: {
    readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete'
    readonly edge?: { readonly bucket?: AddressBucket; readonly bodyTypes?: readonly BodyType[] }
  }
}

/**
 * Puts the per-address rate limit (the endpoint's `edge.bucket`) and the body-type check (its
 * `edge.bodyTypes`, 415 otherwise) in front of the role's declared protocol endpoints, in that
 * order; endpoints without an edge are left alone. Call it before the protocol routers are
 * mounted; the endpoints themselves stay as they are.
 */
export function protectProtocolEndpoints(
  app: Express,
  rateLimits: EdgeRateLimits,
  endpoints: readonly ProtocolEndpoint[],
): void {
  for (const { expressPath, spec } of endpoints) {
    const handlers: RequestHandler[] = []
    if (spec.edge?.bucket) handlers.push(rateLimits.perAddress(spec.edge.bucket))
    if (spec.edge?.bodyTypes) handlers.push(requireBodyType([...spec.edge.bodyTypes]))
    if (handlers.length) app[spec.method](expressPath, ...handlers)
  }
}
