import {
  type AgentContext,
  type DependencyManager,
  InjectionSymbols,
  type Module,
  RecordDuplicateError,
  StorageUpdateService,
  StorageVersionRecord,
} from '@credo-ts/core'
import type { PostgresStorageService } from './PostgresStorageService.js'

/**
 * Registers a {@link PostgresStorageService} as the agent's storage.
 *
 * - A context (tenant) whose partition is empty is new: it is marked as being at the current
 *   Credo storage version, as Askar does when it creates a wallet, so Credo does not take it for
 *   a legacy 0.1 wallet that needs updating.
 * - When an agent context is deleted, all of its rows are deleted with it.
 */
export class PostgresStorageModule implements Module {
  public constructor(public readonly storageService: PostgresStorageService) {}

  public register(dependencyManager: DependencyManager): void {
    dependencyManager.registerInstance(InjectionSymbols.StorageService, this.storageService)
  }

  public async onInitializeContext(agentContext: AgentContext): Promise<void> {
    if (await this.storageService.tenantHasRecords(agentContext.contextCorrelationId)) return
    const version = new StorageVersionRecord({ storageVersion: StorageUpdateService.frameworkStorageVersion })
    try {
      await this.storageService.save(agentContext, version)
    } catch (error) {
      // Another instance initialising the same new context at the same moment won the race.
      if (!(error instanceof RecordDuplicateError)) throw error
    }
  }

  public async onDeleteContext(agentContext: AgentContext): Promise<void> {
    await this.storageService.deleteTenant(agentContext.contextCorrelationId)
  }
}
