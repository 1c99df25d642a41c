import { describeStorageServiceConformance } from './conformance/storageServiceConformance.js'
import { createPostgresTestStorage, POSTGRES_ADMIN_URL } from './support/testStorage.js'

describe(`StorageService conformance on PostgreSQL (${new URL(POSTGRES_ADMIN_URL).host}, as the app role)`, () => {
  describeStorageServiceConformance(createPostgresTestStorage)
})
