import { describeStorageServiceConformance } from './conformance/storageServiceConformance.js'
import { createPgliteTestStorage } from './support/testStorage.js'

describe('StorageService conformance on PGlite (embedded)', () => {
  describeStorageServiceConformance(createPgliteTestStorage)
})
