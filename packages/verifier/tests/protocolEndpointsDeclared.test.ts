import { mountedRoutes, type Operation } from '@attesto/agent-runtime'
import { startService } from '@attesto/testing'
import { createVerifierApp, type VerifierRuntime } from '../src/app.js'
import { OID4VP_OPERATIONS } from '../src/protocol/protocolRoutes.js'

/**
 * The routes `operations` make: each one's handlers, and in front of those, on the app, its edge
 * (rate limit, body types) when it has one.
 */
const routesOf = (operations: readonly Operation[]) =>
  operations.flatMap(({ spec }) => Array(spec.edge ? 2 : 1).fill(`${spec.method} ${spec.path}`) as string[])

// The public edge protects the protocol endpoints from their declarations
// (`protectProtocolEndpoints`): a protocol route mounted around them would have no rate limit and
// no body-type check. Every route under /oid4vp is a declared operation, every declared one is
// mounted, and each names the specification that describes it.
describe('the verifier mounts its declared protocol endpoints, and no other', () => {
  let service: Awaited<ReturnType<typeof startService<VerifierRuntime>>>

  beforeAll(async () => {
    service = await startService('verifier', (config, logger) => createVerifierApp(config, logger))
  })
  afterAll(async () => {
    await service?.close()
  })

  it('has every protocol route declared, and every declaration mounted', () => {
    const mounted = mountedRoutes(service.runtime.app)
      .filter(({ path }) => path.startsWith('/oid4vp/'))
      .map(({ method, path }) => `${method} ${path}`)
    expect(mounted.sort()).toEqual(routesOf(OID4VP_OPERATIONS).sort())
    expect(OID4VP_OPERATIONS.every(({ spec }) => spec.undocumented && spec.edge?.bucket === 'protocol')).toBe(true)
  })
})
