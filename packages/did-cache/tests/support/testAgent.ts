import { openStorage, PostgresStorageModule } from '@attesto/storage-service'
import { Agent, AgentContext, DependencyManager, type DidResolver, KeyDidResolver, Kms } from '@credo-ts/core'
import { agentDependencies, NodeInMemoryKeyManagementStorage, NodeKeyManagementService } from '@credo-ts/node'
import {
  type CreateDidResolutionCacheOptions,
  createDidResolutionCache,
  type DidResolutionCache,
} from '../../src/createDidResolutionCache.js'
import { SafeWebDidResolver } from '../../src/SafeWebDidResolver.js'

export interface ResolvingAgent {
  agent: Agent
  didCache: DidResolutionCache
  close(): Promise<void>
}

/**
 * A real Credo agent (one "instance") whose DID resolution goes through the DID cache, with a
 * did:web resolver allowed to fetch over http from 127.0.0.1 (tests only). Its storage is
 * embedded PGlite; its KMS is in memory.
 */
export async function createResolvingAgent(options: CreateDidResolutionCacheOptions): Promise<ResolvingAgent> {
  const didCache = createDidResolutionCache(options)
  await didCache.cache.waitUntilReady()
  const storage = await openStorage({ schema: 'holder', cleanup: false })
  const resolvers: DidResolver[] = [
    new KeyDidResolver(),
    new SafeWebDidResolver({ allowInsecureHttp: true, allowLoopback: true, timeoutMillis: 2_000 }),
  ]
  const agent = new Agent({
    config: { allowInsecureHttpUrls: true },
    dependencies: agentDependencies,
    modules: {
      storage: new PostgresStorageModule(storage.storageService),
      kms: new Kms.KeyManagementModule({
        backends: [new NodeKeyManagementService(new NodeInMemoryKeyManagementStorage())],
      }),
      ...didCache.modules(resolvers),
    },
  })
  await agent.initialize()
  return {
    agent,
    didCache,
    async close() {
      await agent.shutdown()
      await didCache.close()
      await storage.close()
    },
  }
}

export function contextFor(tenantId: string): AgentContext {
  return new AgentContext({ dependencyManager: new DependencyManager(), contextCorrelationId: tenantId })
}
