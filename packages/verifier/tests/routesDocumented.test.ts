import { undocumentedRoutes } from '@attesto/agent-runtime'
import { startService } from '@attesto/testing'
import { createVerifierApp, type VerifierRuntime } from '../src/app.js'

// Every route the verifier's app mounts is an operation of the OpenAPI document it serves, and
// every operation of the document is mounted: the document is generated from the same
// declarations the router mounts, and this catches a route mounted around them or a declaration
// never bound. Left out: the protocol endpoints (/oid4vp, /.well-known), which OID4VP describes,
// and the document itself with its rendering (/openapi.json, /docs).
const NOT_IN_THE_DOCUMENT = /^\/(oid4vp|\.well-known|openapi\.json|docs)(\/|$)/

describe('the verifier mounts what its OpenAPI document describes, and nothing else', () => {
  let verifier: Awaited<ReturnType<typeof startService<VerifierRuntime>>> | undefined

  beforeAll(async () => {
    verifier = await startService('verifier', (config, logger) => createVerifierApp(config, logger))
  })
  afterAll(() => verifier?.close())

  it('has no undocumented route and no unmounted operation', async () => {
    const service = verifier as NonNullable<typeof verifier>
    const { paths } = (await service.call('GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>
    }
    expect(Object.keys(paths).length).toBeGreaterThan(20)
    const { undocumented, unmounted } = undocumentedRoutes(service.runtime.app, { paths }, NOT_IN_THE_DOCUMENT)
    expect(undocumented).toEqual([])
    expect(unmounted).toEqual([])
  })
})
