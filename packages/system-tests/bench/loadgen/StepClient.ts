import { Agent, request } from 'undici'
import { LatencySamples } from './LatencySamples.js'
import { check } from './ProtocolNotes.js'

export interface StepRequest {
  method?: 'GET' | 'POST' | 'PUT'
  headers?: Record<string, string>
  /** Sent as JSON. */
  json?: unknown
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>
  /** The status the step must answer (200 by default), or one of several. */
  status?: number | number[]
  /** The media type the answer must have (application/json by default); null: any, or none. */
  mediaType?: string | null
}

export interface StepResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

/**
 * The load generator's HTTP client: keep-alive connections (undici), each request timed under its
 * step name, and its status and media type checked. It talks to 127.0.0.1 only.
 */
export class StepClient {
  public readonly steps = new LatencySamples()
  private readonly dispatcher: Agent

  public constructor({ connections }: { connections: number }) {
    this.dispatcher = new Agent({
      connections,
      keepAliveTimeout: 30_000,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    })
  }

  public async send(step: string, url: string, options: StepRequest = {}): Promise<StepResponse> {
    check(new URL(url).hostname === '127.0.0.1', step, `refusing to send to ${url}: the benchmark stays on 127.0.0.1`)
    const headers: Record<string, string> = { ...options.headers }
    let body: string | undefined
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(options.json)
    } else if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded'
      body = new URLSearchParams(options.form).toString()
    }
    const method = options.method ?? (body === undefined ? 'GET' : 'POST')
    const response = await this.steps.time(step, async () => {
      const answer = await request(url, { dispatcher: this.dispatcher, method, headers, body })
      return { status: answer.statusCode, headers: answer.headers, text: await answer.body.text() }
    })
    const expected = [options.status ?? 200].flat()
    check(
      expected.includes(response.status),
      step,
      `${method} ${url} answered ${response.status}, not ${expected.join(' or ')}: ${response.text.slice(0, 1500)}`,
    )
    if (options.mediaType === null) return response
    const mediaType = String(response.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim()
    const expectedType = options.mediaType ?? 'application/json'
    check(mediaType === expectedType, step, `answered ${mediaType || 'no content type'}, not ${expectedType}`)
    return response
  }

  /** {@link send}, answering the parsed JSON object. */
  // biome-ignore lint/suspicious/noExplicitAny: protocol answers are checked field by field by the caller
  public async json(step: string, url: string, options: StepRequest = {}): Promise<Record<string, any>> {
    const { text } = await this.send(step, url, options)
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (error) {
      check(false, step, `answered invalid JSON: ${String(error)}`)
    }
    check(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed), step, 'answered no JSON object')
    // biome-ignore lint/suspicious/noExplicitAny: see above
    return parsed as Record<string, any>
  }

  public close(): Promise<void> {
    return this.dispatcher.close()
  }
}
