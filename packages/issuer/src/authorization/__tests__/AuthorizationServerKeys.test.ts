import { createServer, type Server } from 'node:http'
import type { ExternalAuthorizationServer } from '../../issuers/ExternalAuthorizationServer.js'
import { AuthorizationServerKeys, AuthorizationServerKeysError } from '../AuthorizationServerKeys.js'

// An authorization server's keys over real HTTP (a local server counting its answers): discovered
// from RFC 8414 metadata, cached, fetched again for an unknown kid at most once per interval.

describe('AuthorizationServerKeys', () => {
  let http: Server
  let base = ''
  const fetched: string[] = []
  let keys: object[] = [{ kty: 'EC', kid: 'a' }]
  let metadataIssuer = ''

  beforeAll(async () => {
    http = createServer((request, response) => {
      fetched.push(request.url ?? '')
      const answers: Record<string, object> = {
        '/.well-known/oauth-authorization-server/realm': { issuer: metadataIssuer, jwks_uri: `${base}/realm/certs` },
        '/realm/certs': { keys },
      }
      const answer = answers[request.url ?? '']
      response.writeHead(answer && request.method === 'GET' ? 200 : 404, { 'content-type': 'application/json' })
      response.end(JSON.stringify(answer ?? {}))
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(http.address() as { port: number }).port}`
    metadataIssuer = `${base}/realm`
  })
  afterAll(() => http.close())
  beforeEach(() => {
    fetched.length = 0
  })

  const server = (extra: Partial<ExternalAuthorizationServer> = {}) =>
    ({ issuer: `${base}/realm`, claimsSources: {}, ...extra }) as ExternalAuthorizationServer

  it('discovers the JWKS from RFC 8414 metadata and keeps it for the cache lifetime', async () => {
    const cache = new AuthorizationServerKeys({ cacheSeconds: 60, refetchIntervalSeconds: 60, allowInsecure: true })
    expect(await cache.keys(server())).toEqual({ keys })
    expect(await cache.keys(server())).toEqual({ keys })
    expect(fetched).toEqual(['/.well-known/oauth-authorization-server/realm', '/realm/certs'])
  })

  it('fetches again for an unknown kid at most once per interval', async () => {
    const cache = new AuthorizationServerKeys({ cacheSeconds: 60, refetchIntervalSeconds: 1, allowInsecure: true })
    await cache.keys(server())
    expect(cache.refetch(server())).toBeUndefined() // just fetched: a flood of forged kids costs nothing
    await new Promise((resolve) => setTimeout(resolve, 1_050))
    keys = [{ kty: 'EC', kid: 'b' }]
    expect(await cache.refetch(server())).toEqual({ keys: [{ kty: 'EC', kid: 'b' }] })
    expect(cache.refetch(server())).toBeUndefined()
    expect(await cache.keys(server())).toEqual({ keys: [{ kty: 'EC', kid: 'b' }] })
    expect(fetched.filter((url) => url.endsWith('/certs'))).toHaveLength(2)
  })

  it('uses given keys without a fetch, and refuses metadata naming another issuer', async () => {
    const cache = new AuthorizationServerKeys({ cacheSeconds: 60, refetchIntervalSeconds: 1, allowInsecure: true })
    const given = { keys: [{ kty: 'EC', kid: 'given' }] } as ExternalAuthorizationServer['jwks']
    expect(await cache.keys(server({ jwks: given }))).toBe(given)
    expect(cache.refetch(server({ jwks: given }))).toBeUndefined()
    expect(fetched).toEqual([])
    metadataIssuer = 'https://impostor.example'
    await expect(cache.keys(server())).rejects.toBeInstanceOf(AuthorizationServerKeysError)
    metadataIssuer = `${base}/realm`
  })

  it('does not ask a server that failed again within the refetch interval', async () => {
    const cache = new AuthorizationServerKeys({ cacheSeconds: 60, refetchIntervalSeconds: 1, allowInsecure: true })
    const down = server({ jwksUri: `${base}/down/certs` })
    await expect(cache.keys(down)).rejects.toBeInstanceOf(AuthorizationServerKeysError)
    await expect(cache.keys(down)).rejects.toBeInstanceOf(AuthorizationServerKeysError)
    expect(fetched).toEqual(['/down/certs'])
    await new Promise((resolve) => setTimeout(resolve, 1_050))
    await expect(cache.keys(down)).rejects.toBeInstanceOf(AuthorizationServerKeysError)
    expect(fetched).toEqual(['/down/certs', '/down/certs'])
  })

  it('refuses loopback servers unless insecure targets are allowed (the webhooks’ address guard)', async () => {
    const cache = new AuthorizationServerKeys({ cacheSeconds: 60, refetchIntervalSeconds: 1, allowInsecure: false })
    await expect(cache.keys(server({ jwksUri: `${base}/realm/certs` }))).rejects.toBeInstanceOf(
      AuthorizationServerKeysError,
    )
    expect(fetched).toEqual([])
  })
})
