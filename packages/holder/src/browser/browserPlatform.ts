import { HolderWalletError } from '../errors/HolderWalletError.js'
import { WebCryptoKeyManagementService } from '../keys/WebCryptoKeyManagementService.js'
import type { WalletPlaceOptions, WalletPlatform, WalletPlatformStorage } from '../platform/WalletPlatform.js'
import { IndexedDbCryptoKeyStore } from './IndexedDbCryptoKeyStore.js'
import { IndexedDbRecordStore } from './IndexedDbRecordStore.js'
import { openWalletDatabase } from './indexedDb.js'

/**
 * The wallet in a browser: sealed records in IndexedDB, keys as non-extractable WebCrypto keys
 * in the same database. The browser bundle opens wallets here; node's platform is not in it.
 */
export const defaultPlatform: WalletPlatform = {
  async open(options: WalletPlaceOptions): Promise<WalletPlatformStorage> {
    if (!options.indexedDb || options.dataDir || options.databaseUrl || options.inMemory) {
      throw new HolderWalletError(
        'invalid_options',
        'Say where the wallet lives: in a browser, indexedDb (the name of its IndexedDB database)',
      )
    }
    const database = await openWalletDatabase(options.indexedDb)
    return {
      store: new IndexedDbRecordStore(database),
      keyManagement: (_, walletId) =>
        new WebCryptoKeyManagementService(new IndexedDbCryptoKeyStore(database, walletId)),
      close: async () => database.close(),
    }
  },
}
