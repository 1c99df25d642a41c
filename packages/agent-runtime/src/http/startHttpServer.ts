import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from '@credo-ts/core'
import type { Express } from 'express'

export interface StartHttpServerOptions {
  port: number
  /** The address to bind (default 127.0.0.1: only this machine; containers bind 0.0.0.0). */
  host?: string
  logger: Logger
  /** How long in-flight requests may take to finish after SIGTERM (default 10,000 ms). */
  shutdownTimeoutMillis?: number
  /** Runs after the last request finished (close the agent, storage, …). */
  onShutdown?: () => Promise<void>
  /** Listen for SIGTERM and SIGINT (default true). */
  handleSignals?: boolean
}

export interface HttpServer {
  server: Server
  url: string
  /** Stops accepting connections, lets in-flight requests finish, then runs `onShutdown`. */
  shutdown(): Promise<void>
}

/** Listens, with request timeouts, and shuts down gracefully on SIGTERM. */
export async function startHttpServer(app: Express, options: StartHttpServerOptions): Promise<HttpServer> {
  const server = app.listen(options.port, options.host ?? '127.0.0.1')
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  server.requestTimeout = 30_000
  server.headersTimeout = 15_000
  server.keepAliveTimeout = 5_000
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`
  options.logger.info('Listening', { url })

  let stopping: Promise<void> | undefined
  const shutdown = () => {
    stopping ??= (async () => {
      options.logger.info('Shutting down: finishing in-flight requests')
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      const timeout = new Promise<void>((resolve) =>
        setTimeout(resolve, options.shutdownTimeoutMillis ?? 10_000).unref(),
      )
      await Promise.race([closed, timeout])
      server.closeAllConnections()
      await options.onShutdown?.()
      options.logger.info('Shut down')
    })()
    return stopping
  }
  if (options.handleSignals !== false) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void shutdown())
  }
  return { server, url, shutdown }
}
