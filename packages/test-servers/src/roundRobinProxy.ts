import http from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A load balancer for tests: forwards each request to the next upstream in turn, and on a
 * connection error to the following one (as a balancer with health checks would). Records which
 * upstream served each request.
 */
export class RoundRobinProxy {
  public readonly served: { path: string; upstream: number }[] = []
  /** Base URLs of the instances; set once they listen. */
  public upstreams: string[] = []
  /** Called after each response is sent. */
  public afterResponse?: (path: string) => Promise<void>
  private next = 0
  private server?: http.Server

  public get url(): string {
    const address = this.server?.address() as AddressInfo | undefined
    if (!address) throw new Error('RoundRobinProxy is not listening')
    return `http://127.0.0.1:${address.port}`
  }

  public async listen(port = 0): Promise<this> {
    this.server = http.createServer(async (request, response) => {
      const chunks: Buffer[] = []
      for await (const chunk of request) chunks.push(chunk as Buffer)
      const body = Buffer.concat(chunks)
      for (let attempt = 0; attempt < this.upstreams.length; attempt++) {
        const index = this.next++ % this.upstreams.length
        try {
          const upstream = await fetch(`${this.upstreams[index]}${request.url}`, {
            method: request.method,
            headers: Object.fromEntries(
              Object.entries(request.headers).filter(
                ([name]) => !['host', 'connection', 'content-length'].includes(name),
              ),
            ) as Record<string, string>,
            body: ['GET', 'HEAD'].includes(request.method ?? 'GET') ? undefined : body,
            redirect: 'manual',
          })
          this.served.push({ path: request.url ?? '', upstream: index })
          const headers: Record<string, string> = {}
          upstream.headers.forEach((value, name) => {
            if (!['content-encoding', 'content-length', 'transfer-encoding', 'connection'].includes(name))
              headers[name] = value
          })
          response.writeHead(upstream.status, headers).end(Buffer.from(await upstream.arrayBuffer()))
          await this.afterResponse?.(request.url ?? '')
          return
        } catch {
          // That instance is down: try the next one.
        }
      }
      response.writeHead(502).end()
    })
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve))
    return this
  }

  public async close(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise((resolve) => this.server?.close(resolve))
  }
}
