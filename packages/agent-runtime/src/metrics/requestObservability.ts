import type { Express, NextFunction, Request, Response } from 'express'
import express from 'express'
import { pinoHttp } from 'pino-http'
import type { JsonLogger } from '../logging/JsonLogger.js'
import { REQUEST_ID_HEADER, requestContext, requestIdOf } from '../logging/requestContext.js'
import type { RuntimeMetrics } from './RuntimeMetrics.js'

const ROUTE_TEMPLATE = Symbol('attesto.routeTemplate')

/** Requests no route matched (refused by a middleware first, or not found): one label for all. */
export const UNMATCHED_ROUTE = 'unmatched'

type RoutedRequest = Request & { [ROUTE_TEMPLATE]?: string; id?: string }

let routeTemplatesRecorded = false
/**
 * Records, on every request a route handles, its template (`/oid4vci/:issuerId/token`): the
 * mount path the router was reached by, then the route's own path. Express forgets the mount
 * path once the request leaves the router (an error passed on), so it is kept when the route
 * starts. One property write per routed request.
 */
function recordRouteTemplates(): void {
  if (routeTemplatesRecorded) return
  routeTemplatesRecorded = true
  // Express exports its Route class (`express.Route`); its types do not declare it.
  const route = (express as unknown as { Route: { prototype: unknown } }).Route.prototype as {
    dispatch(this: { path: string }, request: RoutedRequest, response: Response, done: NextFunction): void
  }
  const dispatch = route.dispatch
  route.dispatch = function (request, response, done) {
    request[ROUTE_TEMPLATE] = `${request.baseUrl}${this.path}`
    return dispatch.call(this, request, response, done)
  }
}

/** The route template of a request (after routing), or {@link UNMATCHED_ROUTE}. */
export function routeTemplateOf(request: Request): string {
  return (request as RoutedRequest)[ROUTE_TEMPLATE] ?? UNMATCHED_ROUTE
}

export interface RequestObservabilityOptions {
  metrics?: RuntimeMetrics
  /** Writes the access log (one line per request) through this logger's pino; none without it. */
  accessLog?: JsonLogger
}

/**
 * Installs, first on `app`: the request id (the caller's `X-Request-Id` when safe, a new UUID
 * otherwise; answered in `X-Request-Id`, and bound to every log line written for the request),
 * the HTTP metrics (`attesto_http_request_duration_seconds`) and the access log. Each part is
 * switched off by leaving its option out; the request id is always there.
 */
export function observeRequests(app: Express, options: RequestObservabilityOptions): void {
  const histogram = options.metrics?.httpRequests
  // Both the metrics and the access log label requests by route template.
  if (histogram || options.accessLog) recordRouteTemplates()
  app.use((incoming: Request, response: Response, next: NextFunction) => {
    const request = incoming as RoutedRequest
    const requestId = requestIdOf(request.headers[REQUEST_ID_HEADER])
    request.id = requestId
    response.setHeader('X-Request-Id', requestId)
    if (histogram) {
      const started = performance.now()
      response.once('finish', () => {
        histogram.observe(
          { method: request.method, route: routeTemplateOf(request), status: String(response.statusCode) },
          (performance.now() - started) / 1000,
        )
      })
    }
    requestContext.run({ requestId }, next)
  })
  if (options.accessLog) app.use(accessLog(options.accessLog))
}

/** Access-log fields: no path, query, header or body (they can carry codes, tokens and claims). */
function accessFields(request: Request, response: Response, durationMillis: number) {
  const tenant = (response.locals as { tenant?: { id: string } }).tenant
  return {
    requestId: (request as RoutedRequest).id,
    method: request.method,
    route: routeTemplateOf(request),
    status: response.statusCode,
    durationMs: durationMillis,
    ...(tenant ? { tenantId: tenant.id } : {}),
  }
}

/**
 * pino-http writing one `info` line per request (`message: "request"`); `warn` for a 5xx other
 * than 503 (503 is an expected answer while a dependency is away; the error handler logs the
 * failure itself at `error`).
 */
function accessLog(logger: JsonLogger) {
  return pinoHttp({
    logger: logger.pino,
    genReqId: (request) => (request as RoutedRequest).id ?? requestIdOf(undefined),
    // No per-request child logger with the request's id: the line carries it (accessFields).
    quietResLogger: true,
    wrapSerializers: false,
    serializers: { req: () => undefined },
    customLogLevel: (_request, response) =>
      response.statusCode >= 500 && response.statusCode !== 503 ? 'warn' : 'info',
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request',
    customSuccessObject: (request, response, value: { responseTime: number }) =>
      accessFields(request as Request, response as Response, value.responseTime),
    customErrorObject: (request, response, _error, value: { responseTime: number }) =>
      accessFields(request as Request, response as Response, value.responseTime),
  })
}
