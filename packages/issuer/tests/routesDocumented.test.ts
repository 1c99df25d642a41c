import { mountedRoutes, type Operation, undocumentedRoutes } from '@attesto/agent-runtime'
import { startService } from '@attesto/testing'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { OID4VCI_OPERATIONS } from '../src/protocol/oid4vciRouter.js'
import { STATUS_LIST_OPERATIONS } from '../src/protocol/statusListRouter.js'

// Every route the issuer's app mounts is an operation of the OpenAPI document it serves, and every
// operation of the document is mounted: the document is generated from the same declarations the
// router mounts, and this catches a route mounted around them or a declaration never bound. Left
// out: the protocol endpoints (/oid4vci, /.well-known), which OID4VCI describes, and the document
// itself with its rendering (/openapi.json, /docs).
const NOT_IN_THE_DOCUMENT = /^\/(oid4vci|\.well-known|openapi\.json|docs)(\/|$)/
const PROTOCOL_PATHS = /^\/(oid4vci|\.well-known)\//

/**
 * The routes protocol `operations` make: each one's handlers, and in front of those, on the app,
 * its edge (rate limit, body types) when it has one.
 */
const routesOf = (operations: readonly Operation[]) =>
  operations.flatMap(({ spec }) => Array(spec.edge ? 2 : 1).fill(`${spec.method} ${spec.path}`) as string[])

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

  // The edge protects the protocol endpoints from their declarations (`protectProtocolEndpoints`):
  // a protocol route mounted around them would have no rate limit and no body-type check.
  it('mounts every declared protocol endpoint, and no undeclared one', () => {
    const declared = [...OID4VCI_OPERATIONS, ...STATUS_LIST_OPERATIONS]
    const mounted = mountedRoutes(service.runtime.app)
      .filter(({ path }) => PROTOCOL_PATHS.test(path))
      .map(({ method, path }) => `${method} ${path}`)
    expect(mounted.sort()).toEqual(routesOf(declared).sort())
    expect(declared.filter(({ spec }) => !spec.undocumented).map(({ spec }) => spec.operationId)).toEqual([])
    expect(new Set(declared.map(({ spec }) => spec.operationId)).size).toBe(declared.length)
  })
})
