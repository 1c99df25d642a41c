import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { DomainError } from '@attesto/protocol-kit'
import type { Express, RequestHandler } from 'express'
import type { ObservabilityConfig } from '../config/observabilityConfig.js'
import type { RuntimeMetrics } from './RuntimeMetrics.js'

const sha256 = (value: string) => createHash('sha256').update(value).digest()

/** `GET /metrics` for the service's own port: only with `Authorization: Bearer <METRICS_TOKEN>`. */
function metricsWithToken(metrics: RuntimeMetrics, token: string): RequestHandler {
  const expected = sha256(token)
  return async (request, response, next) => {
    const header = request.headers.authorization
    const presented = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : ''
    if (!timingSafeEqual(sha256(presented), expected)) {
      return next(
        new DomainError(
          'unauthorized',
          'Missing or invalid metrics token: send "Authorization: Bearer <METRICS_TOKEN>"',
        ),
      )
    }
    try {
      const body = await metrics.exposition()
      response.set('Content-Type', metrics.contentType).set('Cache-Control', 'no-store').send(body)
    } catch (error) {
      next(error)
    }
  }
}

/**
 * Serves `GET /metrics` as configured: on `app` (the service's port) when `METRICS_TOKEN` is set,
 * Bearer-protected; never there without a token (the route does not exist: 404).
 */
export function mountMetricsRoute(app: Express, metrics: RuntimeMetrics, config: ObservabilityConfig): void {
  if (config.metricsToken) app.get('/metrics', metricsWithToken(metrics, config.metricsToken))
}

export interface MetricsListener {
  server: Server
  url: string
  close(): Promise<void>
}

/**
 * A listener of its own serving `GET /metrics` only, without a token: bind it where only the
 * scraper reaches (`METRICS_PORT`, `WORKER_METRICS_PORT`; `METRICS_HOST`). Anything else: 404.
 */
export async function startMetricsListener(
  metrics: RuntimeMetrics,
  port: number,
  host: string,
): Promise<MetricsListener> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ error: { code: 'not_found', message: 'Only GET /metrics is served here' } }))
      return
    }
    metrics.exposition().then(
      (body) => {
        response.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' })
        response.end(body)
      },
      () => {
        response.writeHead(500, { 'content-type': 'application/json' })
        response.end(JSON.stringify({ error: { code: 'internal_error', message: 'Metrics could not be collected' } }))
      },
    )
  })
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  const { port: bound } = server.address() as AddressInfo
  return {
    server,
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
