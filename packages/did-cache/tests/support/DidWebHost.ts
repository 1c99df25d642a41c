import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface DidWebHostOptions {
  /** Added latency per request, in milliseconds. */
  delayMillis?: number
}

/**
 * A did:web host on 127.0.0.1 for tests and benchmarks: serves `did.json` documents for the DIDs
 * it is told about, 404 for others, and counts the requests it receives.
 */
export class DidWebHost {
  public requests = 0
  private readonly documents = new Map<string, unknown>()
  private readonly statusByPath = new Map<string, number>()
  private server?: http.Server

  public constructor(private readonly options: DidWebHostOptions = {}) {}

  public async start(): Promise<this> {
    this.server = http.createServer((request, response) => {
      this.requests += 1
      const reply = () => {
        const path = request.url ?? '/'
        const status = this.statusByPath.get(path)
        const document = this.documents.get(path)
        if (status !== undefined) {
          response.writeHead(status).end()
        } else if (document === undefined) {
          response.writeHead(404).end()
        } else {
          response.writeHead(200, { 'content-type': 'application/did+json' }).end(JSON.stringify(document))
        }
      }
      if (this.options.delayMillis) setTimeout(reply, this.options.delayMillis)
      else reply()
    })
    this.server.keepAliveTimeout = 60_000
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve))
    return this
  }

  public get port(): number {
    const address = this.server?.address() as AddressInfo | undefined
    if (!address) throw new Error('DidWebHost is not started')
    return address.port
  }

  /** A did:web DID on this host, `did:web:127.0.0.1%3A<port>:<name>`. */
  public did(name: string): string {
    return `did:web:127.0.0.1%3A${this.port}:${name}`
  }

  /** Serves a minimal DID document for `did:web:…:<name>` (or `document` as given). */
  public serve(name: string, document?: Record<string, unknown>): string {
    const did = this.did(name)
    this.documents.set(`/${name}/did.json`, document ?? { '@context': ['https://www.w3.org/ns/did/v1'], id: did })
    return did
  }

  /** Answers `status` for that name until told otherwise. */
  public answer(name: string, status: number): string {
    this.statusByPath.set(`/${name}/did.json`, status)
    return this.did(name)
  }

  public async stop(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise((resolve) => this.server?.close(resolve))
  }
}
