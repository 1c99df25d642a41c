import {
  type AgentContext,
  type DependencyManager,
  InjectionSymbols,
  type Module,
  StorageUpdateService,
  StorageVersionRecord,
} from '@credo-ts/core'
import type { EncryptedStorageService } from './EncryptedStorageService.js'

/**
 * Registers the wallet's {@link EncryptedStorageService} as the agent's storage. A wallet without
 * a storage version record is new (its key header is stored beside the records, so the
 * partition is never empty): it is marked as being at Credo's current storage version.
 */
export class WalletStorageModule implements Module {
  public constructor(private readonly storageService: EncryptedStorageService) {}

  public register(dependencyManager: DependencyManager): void {
    dependencyManager.registerInstance(InjectionSymbols.StorageService, this.storageService)
  }

  public async onInitializeContext(agentContext: AgentContext): Promise<void> {
    const versions = await this.storageService.getAll(agentContext, StorageVersionRecord)
    if (versions.length > 0) return
    const version = new StorageVersionRecord({ storageVersion: StorageUpdateService.frameworkStorageVersion })
    await this.storageService.save(agentContext, version)
  }
}
