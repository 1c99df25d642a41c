import { type AgentContext, type DependencyManager, InjectionSymbols, type Module } from '@credo-ts/core'
import { TenantAgentContextProvider } from './TenantAgentContextProvider.js'
import { TenantRepository } from './TenantRepository.js'
import { TenantsApi } from './TenantsApi.js'

/**
 * Multi-tenancy for a role's agent: one agent context per tenant, routed by Credo's openid4vc
 * endpoints (which look for a module registered under this class name, `TenantsModule`).
 */
export class TenantsModule implements Module {
  public readonly api = TenantsApi

  public register(dependencyManager: DependencyManager): void {
    dependencyManager.registerSingleton(TenantRepository)
    dependencyManager.registerSingleton(InjectionSymbols.AgentContextProvider, TenantAgentContextProvider)
  }

  public async initialize(rootAgentContext: AgentContext): Promise<void> {
    // Build the provider in the root container, so it holds the root agent context, and make
    // the class token and Credo's AgentContextProvider token give that one instance.
    const provider = rootAgentContext.dependencyManager.resolve<TenantAgentContextProvider>(
      InjectionSymbols.AgentContextProvider,
    )
    rootAgentContext.dependencyManager.registerInstance(TenantAgentContextProvider, provider)
  }
}
