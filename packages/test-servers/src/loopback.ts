import type http from 'node:http'
import type { AddressInfo } from 'node:net'

// The HTTP plumbing the KMS test doubles share: each listens on a free port of 127.0.0.1 and is
// stopped with its keep-alive connections cut, so no test waits for idle sockets.

/** Starts `server` on a free port of 127.0.0.1. */
export async function listenOnLoopback(server: http.Server): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
}

/** `http://127.0.0.1:<port>` of a started server; throws naming the double when it is not started. */
export function loopbackUrl(server: http.Server | undefined, name: string): string {
  const address = server?.address() as AddressInfo | undefined
  if (!address) throw new Error(`${name} is not started`)
  return `http://127.0.0.1:${address.port}`
}

/** Stops `server` now, cutting its open connections. */
export async function closeNow(server: http.Server | undefined): Promise<void> {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
}
