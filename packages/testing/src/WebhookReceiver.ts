import { createServer, type Server } from 'node:http'
import { verifyWebhookSignature } from '@attesto/agent-runtime'

export interface ReceivedDelivery {
  event: { id: string; type: string; data: Record<string, unknown> }
  delivery: string
  signatureValid: boolean
  /** The delivery's `X-Request-Id` (the request that caused the event), if any. */
  requestId?: string
}

/**
 * A webhook endpoint on 127.0.0.1 for tests: it records deliveries (checking their signature
 * with `secret`) and answers each with the next status in `answers` (200 when none is left).
 */
export class WebhookReceiver {
  public readonly received: ReceivedDelivery[] = []
  public readonly answers: number[] = []
  public secret = ''
  private server?: Server
  public url = ''

  public async start(): Promise<this> {
    this.server = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk) => (body += chunk))
      request.on('end', () => {
        const status = this.answers.shift() ?? 200
        if (status === 200) {
          this.received.push({
            event: JSON.parse(body),
            delivery: String(request.headers['attesto-delivery']),
            requestId: request.headers['x-request-id'] as string | undefined,
            signatureValid: verifyWebhookSignature(this.secret, request.headers['attesto-signature'] as string, body),
          })
        }
        response.writeHead(status).end()
      })
    })
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/hooks`
    return this
  }

  public async close(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve))
  }
}

/** Polls `probe` until it gives a value (10 s at most). */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const value = await probe()
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}
