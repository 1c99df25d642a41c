import { type AgentContext, type DependencyManager, InjectionSymbols, type Module } from '@credo-ts/core'
import type { PostgresStorageService } from './PostgresStorageService.js'

/**
 * Registers a {@link PostgresStorageService} as the agent's storage. When an agent context (a
 * tenant) is deleted, all of its rows are deleted with it.
 */
export class PostgresStorageModule implements Module {
  public constructor(public readonly storageService: PostgresStorageService) {}

  public register(dependencyManager: DependencyManager): void {
    dependencyManager.registerInstance(InjectionSymbols.StorageService, this.storageService)
  }

  public async onDeleteContext(agentContext: AgentContext): Promise<void> {
    await this.storageService.deleteTenant(agentContext.contextCorrelationId)
  }
}
