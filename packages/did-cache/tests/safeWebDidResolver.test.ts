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
})
