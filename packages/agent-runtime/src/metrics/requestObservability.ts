import type { Express, NextFunction, Request, Response } from 'express'
import express from 'express'
import type { Logger as Pino } from 'pino'
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
 * the HTTP metrics (`attesto_http_request_duration_seconds`) and the access log, both from one
 * listener when the answer ends. Each part is switched off by leaving its option out; the request
 * id is always there.
 */
export function observeRequests(app: Express, options: RequestObservabilityOptions): void {
  const histogram = options.metrics?.httpRequests
  const log = options.accessLog?.pino
  // Both the metrics and the access log label requests by route template.
  if (histogram || log) recordRouteTemplates()
  app.use((incoming: Request, response: Response, next: NextFunction) => {
    const request = incoming as RoutedRequest
    const requestId = requestIdOf(request.headers[REQUEST_ID_HEADER])
    request.id = requestId
    response.setHeader('X-Request-Id', requestId)
    if (histogram || log) {
      const started = performance.now()
      response.once('close', () => {
        const millis = performance.now() - started
        const route = routeTemplateOf(request)
        const status = response.statusCode
        histogram?.observe({ method: request.method, route, status: String(status) }, millis / 1000)
        if (log) writeAccessLine(log, request, response, route, millis)
      })
    }
    requestContext.run({ requestId }, next)
  })
}

/**
 * One line per request, `message: "request"`: request id, method, route template, status,
 * duration and tenant; no path, query, header or body (they can carry codes, tokens and claims).
 * `info`; `warn` for a 5xx other than 503 (503 is an expected answer while a dependency is away;
 * the error handler logs the failure itself at `error`) and for an answer the client did not wait
 * for (`aborted`).
 */
function writeAccessLine(log: Pino, request: RoutedRequest, response: Response, route: string, millis: number): void {
  const status = response.statusCode
  const aborted = !response.writableFinished
  const tenant = (response.locals as { tenant?: { id: string } }).tenant
  const level = aborted || (status >= 500 && status !== 503) ? 'warn' : 'info'
  log[level](
    {
      requestId: request.id,
      method: request.method,
      route,
      status,
      durationMs: Math.round(millis * 1000) / 1000,
      ...(tenant ? { tenantId: tenant.id } : {}),
      ...(aborted ? { aborted: true } : {}),
    },
    'request',
  )
}
