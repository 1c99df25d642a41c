import type { TestStorageFactory } from '../support/testStorage.js'
import { crudConformance } from './crudConformance.js'
import { lifecycleConformance } from './lifecycleConformance.js'
import { queryConformance } from './queryConformance.js'

/**
 * The StorageService contract, run unchanged against every engine (real PostgreSQL as the
 * least-privileged app role, and PGlite).
 */
export function describeStorageServiceConformance(factory: TestStorageFactory): void {
  crudConformance(factory)
  queryConformance(factory)
  lifecycleConformance(factory)
}
