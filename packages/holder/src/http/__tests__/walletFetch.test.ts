import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from '@jest/globals'
import { createWalletFetch } from '../walletFetch.js'

let server: Server | undefined
afterEach(
  () =>
    new Promise<void>((resolve) => {
      server?.closeAllConnections()
      return server ? server.close(() => resolve()) : resolve()
    }),
)

/** A real HTTP server on loopback; `handle` answers the n-th request (1-based). */
async function serve(handle: (n: number, request: IncomingMessage, response: ServerResponse) => void) {
  let n = 0
  server = createServer((request, response) => handle(++n, request, response))
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/list`, requests: () => n }
}

describe('the wallet fetch', () => {
  it('tries a GET again after a 503 from a balancer, and returns the answer that came', async () => {
    const target = await serve((n, _request, response) => {
      if (n < 3) return response.writeHead(503, { 'content-type': 'text/html' }).end('<html>busy</html>')
      response.writeHead(200).end('token')
    })
    const response = await createWalletFetch({ retryBackoffMillis: 10 })(target.url)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('token')
    expect(target.requests()).toBe(3)
  })

  it('returns the last 503 when every try failed', async () => {
    const target = await serve((_n, _request, response) => response.writeHead(503).end())
    const response = await createWalletFetch({ getAttempts: 2, retryBackoffMillis: 10 })(target.url)
    expect(response.status).toBe(503)
    expect(target.requests()).toBe(2)
  })

  it('sends a POST once, whatever it got back (a token or credential request must not be redeemed twice)', async () => {
    const target = await serve((_n, _request, response) => response.writeHead(503).end())
    const response = await createWalletFetch({ retryBackoffMillis: 10 })(target.url, { method: 'POST', body: '{}' })
    expect(response.status).toBe(503)
    expect(target.requests()).toBe(1)
  })

  it("waits its own timeout, not a caller's shorter abort (Credo's fixed 5 s on status lists)", async () => {
    const target = await serve((_n, _request, response) => setTimeout(() => response.writeHead(200).end('late'), 300))
    const response = await createWalletFetch({ timeoutMillis: 5_000 })(target.url, { signal: AbortSignal.timeout(50) })
    expect(await response.text()).toBe('late')
  })

  it('gives up after its timeout on every try', async () => {
    const target = await serve(() => undefined)
    const started = Date.now()
    await expect(
      createWalletFetch({ timeoutMillis: 100, getAttempts: 2, retryBackoffMillis: 10 })(target.url),
    ).rejects.toThrow()
    expect(target.requests()).toBe(2)
    expect(Date.now() - started).toBeGreaterThanOrEqual(200)
  })
})
