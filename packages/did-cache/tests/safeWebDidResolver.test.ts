import { createServer } from 'node:http'
import { AgentContext, DependencyManager, parseDid } from '@credo-ts/core'
import { SafeWebDidResolver } from '../src/SafeWebDidResolver.js'
import { DidWebHost } from './support/DidWebHost.js'

describe('SafeWebDidResolver against a did:web host on 127.0.0.1', () => {
  let host: DidWebHost
  const context = new AgentContext({ dependencyManager: new DependencyManager(), contextCorrelationId: 'x' })
  const resolve = (resolver: SafeWebDidResolver, did: string) => resolver.resolve(context, did, parseDid(did))

  beforeAll(async () => {
    host = await new DidWebHost().start()
  })
  afterAll(() => host.stop())

  it('refuses a loopback host unless loopback is allowed, without sending a request', async () => {
    const did = host.serve('guarded')
    const strict = new SafeWebDidResolver({ allowInsecureHttp: true })
    const refused = await resolve(strict, did)
    expect(refused.didDocument).toBeNull()
    expect(refused.didResolutionMetadata.message).toMatch(/not public/)
    expect(host.requests).toBe(0)

    const permissive = new SafeWebDidResolver({ allowInsecureHttp: true, allowLoopback: true })
    expect((await resolve(permissive, did)).didDocument?.id).toBe(did)
    expect(host.requests).toBe(1)
  })

  it('refuses a host name that resolves to loopback (checked after DNS, at connect time)', async () => {
    const did = `did:web:localhost%3A${host.port}:guarded`
    const before = host.requests
    const refused = await resolve(new SafeWebDidResolver({ allowInsecureHttp: true }), did)
    expect(refused.didDocument).toBeNull()
    expect(host.requests).toBe(before)
  })

  it('answers notFound for 404, invalidDidDocument for a document of another DID, and bounds the size', async () => {
    const resolver = new SafeWebDidResolver({ allowInsecureHttp: true, allowLoopback: true, maxBytes: 2_000 })
    expect((await resolve(resolver, host.did('missing'))).didResolutionMetadata.error).toBe('notFound')
    const impostor = host.serve('impostor', { id: 'did:web:evil.example' })
    expect((await resolve(resolver, impostor)).didResolutionMetadata.error).toBe('invalidDidDocument')
    const huge = host.serve('huge', { id: host.did('huge'), padding: 'x'.repeat(10_000) })
    expect((await resolve(resolver, huge)).didResolutionMetadata.error).toBe('invalidDidDocument')
  })

  it('cuts off a host that drips its document at the deadline, whatever the pace', async () => {
    const drip = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/did+json' })
      const timer = setInterval(() => response.write(' '), 100)
      response.on('close', () => clearInterval(timer))
    })
    await new Promise<void>((resolve) => drip.listen(0, '127.0.0.1', resolve))
    try {
      const port = (drip.address() as { port: number }).port
      const resolver = new SafeWebDidResolver({ allowInsecureHttp: true, allowLoopback: true, timeoutMillis: 800 })
      const started = Date.now()
      const result = await resolve(resolver, `did:web:127.0.0.1%3A${port}:slow`)
      expect(result.didDocument).toBeNull()
      expect(result.didResolutionMetadata.message).toMatch(/did not complete within 800 ms/)
      expect(Date.now() - started).toBeLessThan(2_000)
    } finally {
      drip.closeAllConnections()
      await new Promise((resolve) => drip.close(resolve))
    }
  })
})
