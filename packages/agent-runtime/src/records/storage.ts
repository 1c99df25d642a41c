import {
  type AgentContext,
  type BaseRecord,
  type BaseRecordConstructor,
  CredoError,
  InjectionSymbols,
  type StorageService,
} from '@credo-ts/core'

// biome-ignore lint/suspicious/noExplicitAny: Credo's own storage contract is typed this way.
type AnyRecord = BaseRecord<any, any, any>

/** The agent's storage service, for records kept without a Credo repository. */
export function storageServiceOf<T extends AnyRecord>(context: AgentContext): StorageService<T> {
  return context.dependencyManager.resolve<StorageService<T>>(InjectionSymbols.StorageService)
}

/**
 * Reads, changes and writes a record under a row lock, so that concurrent writers (instances,
 * workers) never lose each other's changes. The runtime's storage service always locks.
 */
export function updateWithLock<T extends AnyRecord>(
  context: AgentContext,
  recordClass: BaseRecordConstructor<T>,
  id: string,
  update: (record: T) => T | Promise<T>,
): Promise<T> {
  const storage = storageServiceOf<T>(context)
  if (!storage.updateByIdWithLock || !storage.supportsLocking?.(context)) {
    throw new CredoError('The storage service cannot lock records')
  }
  return storage.updateByIdWithLock(context, recordClass, id, async (record) => update(record))
}
