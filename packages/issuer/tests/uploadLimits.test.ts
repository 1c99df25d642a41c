import { randomBytes } from 'node:crypto'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { REDIS_URL, startService } from '@attesto/testing'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { loadBatchConfig } from '../src/batches/batchConfig.js'
import { tenantWithIssuer } from './support/issuerFixture.js'

// Large bodies (bulk offers) on the real PostgreSQL and Redis: nobody gets a byte read before the
// API key is checked, uploads in flight are bounded, and over-limit bodies are refused unread.

const MIB = 1024 * 1024

/**
 * Starts a POST that announces `declaredBytes` but sends only `sentBytes`, and resolves with the
 * response if the server answers before the body is complete (else it times out).
 */
function partialUpload(
  url: string,
  headers: Record<string, string>,
  declaredBytes: number,
  sentBytes: number,
): { response: Promise<{ status: number; headers: IncomingMessage['headers']; body: string }>; abort(): void } {
  const request = httpRequest(url, {
    method: 'POST',
    headers: { ...headers, 'content-length': String(declaredBytes) },
  })
  request.on('error', () => {})
  request.write(Buffer.alloc(sentBytes, 0x20))
  let timer: NodeJS.Timeout | undefined
  const response = new Promise<{ status: number; headers: IncomingMessage['headers']; body: string }>(
    (resolve, reject) => {
      timer = setTimeout(() => reject(new Error('no answer before the body was complete')), 5_000)
      request.on('response', (incoming) => {
        let body = ''
        incoming.on('data', (chunk) => {
          body += chunk
        })
        incoming.on('end', () => {
          clearTimeout(timer)
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body })
        })
      })
    },
  )
  response.catch(() => {})
  return {
    response,
    abort: () => {
      clearTimeout(timer)
      request.destroy()
    },
  }
}

describe('large request bodies', () => {
  let service: Awaited<ReturnType<typeof startService<IssuerRuntime>>>
  let key = ''
  let issuerId = ''

  beforeAll(async () => {
    const batchConfig = loadBatchConfig({ BATCH_MAX_BYTES: String(MIB), BATCH_UPLOADS_IN_FLIGHT_PER_TENANT: '1' })
    service = await startService('issuer', (config, logger) => createIssuerApp(config, logger, batchConfig), {
      REDIS_URL,
      QUEUE_PREFIX: `test${randomBytes(4).toString('hex')}`,
    })
    ;({ key, issuerId } = await tenantWithIssuer(service, {
      label: 'Uploads',
      configurationId: 'pass',
      vct: 'urn:attesto:test:pass',
      claims: [{ name: 'given_name', type: 'string', required: true }],
    }))
  })
  afterAll(async () => {
    await service?.close()
  })

  it('answers an anonymous 60 MiB upload 401 before its body is read, and closes the connection', async () => {
    const anonymous: Record<string, string>[] = [
      { 'content-type': 'application/json' },
      { 'content-type': 'text/csv' },
      { 'content-type': 'application/json', authorization: 'Bearer atk.nobody.wrong' },
    ]
    for (const headers of anonymous) {
      const upload = partialUpload(`${service.http.url}/offer-batches`, headers, 60 * MIB, 64 * 1024)
      const answer = await upload.response.finally(() => upload.abort())
      expect(answer.status).toBe(401)
      expect(answer.headers.connection).toBe('close')
      expect(JSON.parse(answer.body).error.code).toBe('unauthorized')
    }
    const admin = partialUpload(`${service.http.url}/tenants`, { 'content-type': 'application/json' }, 60 * MIB, 1024)
    expect((await admin.response.finally(() => admin.abort())).status).toBe(401)
  })

  it('refuses a declared body over the limit with 413 before reading it', async () => {
    const upload = partialUpload(
      `${service.http.url}/offer-batches`,
      { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      2 * MIB,
      1024,
    )
    const answer = await upload.response.finally(() => upload.abort())
    expect(answer.status).toBe(413)
    expect(JSON.parse(answer.body).error.code).toBe('payload_too_large')
  })

  it("bounds a tenant's uploads in flight: the second gets 429 with Retry-After, unread", async () => {
    const headers = { 'content-type': 'text/csv', authorization: `Bearer ${key}` }
    const url = `${service.http.url}/offer-batches?issuerId=${issuerId}&credentialConfigurationId=pass`
    const first = partialUpload(url, headers, MIB - 1, 1024)
    await new Promise((resolve) => setTimeout(resolve, 200))
    const second = partialUpload(url, headers, MIB - 1, 1024)
    const answer = await second.response.finally(() => second.abort())
    expect(answer.status).toBe(429)
    expect(answer.headers['retry-after']).toBe('5')
    expect(JSON.parse(answer.body).error.code).toBe('too_many_large_bodies')
    first.abort()
    // The slot is released when the first upload's connection goes away.
    await new Promise((resolve) => setTimeout(resolve, 200))
    const csv = `given_name\n${'Ada\n'.repeat(3)}`
    const accepted = await fetch(url, { method: 'POST', headers, body: csv })
    expect(accepted.status).toBe(202)
    expect(((await accepted.json()) as { total: number }).total).toBe(3)
  })

  it('streams a CSV body and stops at the byte limit with 413 (chunked, no declared length)', async () => {
    const url = `${service.http.url}/offer-batches?issuerId=${issuerId}&credentialConfigurationId=pass`
    const csv = `given_name\n${'Grace Hopper\n'.repeat(Math.ceil((2 * MIB) / 13))}`
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${key}` },
      body: new Blob([csv]).stream(),
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(413)
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('payload_too_large')
  })
})
