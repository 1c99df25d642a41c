import { openStorage } from '@attesto/storage-service'
import { HolderWalletError } from '../errors/HolderWalletError.js'
import { SealedCryptoKeyStore } from '../keys/SealedCryptoKeyStore.js'
import { WebCryptoKeyManagementService } from '../keys/WebCryptoKeyManagementService.js'
import type { WalletPlaceOptions, WalletPlatform, WalletPlatformStorage } from '../platform/WalletPlatform.js'

/**
 * The wallet in node: records in PostgreSQL or embedded PGlite (a directory, or memory), private
 * keys sealed under the wallet's data-encryption key in the same storage and used through
 * WebCrypto (the store of `@attesto/kms-adapter`'s local KMS, without its `@credo-ts/node`).
 */
export const defaultPlatform: WalletPlatform = {
  async open(options: WalletPlaceOptions): Promise<WalletPlatformStorage> {
    const places = [options.dataDir, options.databaseUrl, options.inMemory ? 'memory' : undefined].filter(Boolean)
    if (places.length !== 1 || options.indexedDb) {
      throw new HolderWalletError(
        'invalid_options',
        'Say where the wallet lives: exactly one of dataDir, databaseUrl or inMemory: true',
      )
    }
    const storage = await openStorage({
      schema: options.databaseSchema ?? 'holder',
      databaseUrl: options.databaseUrl,
      pgliteDataDir: options.dataDir,
      cleanup: false,
    })
    return {
      store: storage.storageService,
      keyManagement: (dataKey) => new WebCryptoKeyManagementService(new SealedCryptoKeyStore(dataKey)),
      close: () => storage.close(),
    }
  },
}
