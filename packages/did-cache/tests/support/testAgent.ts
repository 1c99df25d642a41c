import { openStorage, PostgresStorageModule } from '@attesto/storage-service'
import {
  Agent,
  AgentContext,
  type CacheModule,
  DependencyManager,
  type DidResolver,
  type DidsModule,
  KeyDidResolver,
  Kms,
} from '@credo-ts/core'
import { agentDependencies, NodeInMemoryKeyManagementStorage, NodeKeyManagementService } from '@credo-ts/node'
import {
  type CreateDidResolutionCacheOptions,
  createDidResolutionCache,
  type DidResolutionCache,
} from '../../src/createDidResolutionCache.js'
import { SafeWebDidResolver } from '../../src/SafeWebDidResolver.js'

export interface TestAgent {
  agent: Agent
  close(): Promise<void>
}

export interface ResolvingAgent extends TestAgent {
  didCache: DidResolutionCache
}

/** Resolvers of the tests: did:key, and did:web allowed over http from 127.0.0.1 (tests only). */
export function testResolvers(): DidResolver[] {
  return [
    new KeyDidResolver(),
    new SafeWebDidResolver({ allowInsecureHttp: true, allowLoopback: true, timeoutMillis: 2_000 }),
  ]
}

/**
 * A real Credo agent (one "instance") with the given cache and DIDs modules, embedded PGlite
 * storage and an in-memory KMS.
 */
export async function createTestAgent(modules: { cache: CacheModule; dids: DidsModule }): Promise<TestAgent> {
  const storage = await openStorage({ schema: 'holder', cleanup: false })
  const agent = new Agent({
    config: { allowInsecureHttpUrls: true },
    dependencies: agentDependencies,
    modules: {
      storage: new PostgresStorageModule(storage.storageService),
      kms: new Kms.KeyManagementModule({
        backends: [new NodeKeyManagementService(new NodeInMemoryKeyManagementStorage())],
      }),
      ...modules,
    },
  })
  await agent.initialize()
  return {
    agent,
    async close() {
      await agent.shutdown()
      await storage.close()
    },
  }
}

/** A test agent whose DID resolution goes through the DID cache. */
export async function createResolvingAgent(options: CreateDidResolutionCacheOptions): Promise<ResolvingAgent> {
  const didCache = createDidResolutionCache(options)
  await didCache.cache.waitUntilReady()
  const { agent, close } = await createTestAgent(didCache.modules(testResolvers()))
  return {
    agent,
    didCache,
    async close() {
      await close()
      await didCache.close()
    },
  }
}

export function contextFor(tenantId: string): AgentContext {
  return new AgentContext({ dependencyManager: new DependencyManager(), contextCorrelationId: tenantId })
}
