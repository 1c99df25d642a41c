import { undocumentedRoutes } from '@attesto/agent-runtime'
import { startService } from '@attesto/agent-runtime/testing'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'

// Every route the issuer's app mounts is an operation of the OpenAPI document it serves, and every
// operation of the document is mounted: the document is generated from the same declarations the
// router mounts, and this catches a route mounted around them or a declaration never bound. Left
// out: the protocol endpoints (/oid4vci, /.well-known), which OID4VCI describes, and the document
// itself with its rendering (/openapi.json, /docs).
const NOT_IN_THE_DOCUMENT = /^\/(oid4vci|\.well-known|openapi\.json|docs)(\/|$)/

describe('the issuer mounts what its OpenAPI document describes, and nothing else', () => {
  let service: Awaited<ReturnType<typeof startService<IssuerRuntime>>>

  beforeAll(async () => {
    service = await startService('issuer', (config, logger) => createIssuerApp(config, logger))
  })
  afterAll(async () => {
    await service?.close()
  })

  it('has no undocumented route and no unmounted operation', async () => {
    const document = (await service.call('GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>
    }
    expect(Object.keys(document.paths).length).toBeGreaterThan(30)
    expect(undocumentedRoutes(service.runtime.app, document, NOT_IN_THE_DOCUMENT)).toEqual({
      undocumented: [],
      unmounted: [],
    })
  })
})
