import type { AgentContext } from '@credo-ts/core'
import type { CryptoKeyStore, UsableKey } from '../keys/CryptoKeyStore.js'
import { usableKeyOf } from '../keys/webCryptoKeys.js'
import { committed, KEYS, requestOf } from './indexedDb.js'

/** A key as IndexedDB keeps it: the CryptoKeys themselves (structured-cloned, never extractable). */
interface StoredKey extends UsableKey {
  walletId: string
  keyId: string
}

/**
 * The wallet's keys in a browser: non-extractable `CryptoKey`s in the wallet's IndexedDB
 * database, apart per wallet id. The page can use them, never read them; they are not encrypted
 * under the passphrase (a non-extractable key cannot be wrapped by the page).
 */
export class IndexedDbCryptoKeyStore implements CryptoKeyStore {
  public constructor(
    private readonly database: IDBDatabase,
    private readonly walletId: string,
  ) {}

  public async add(_: AgentContext, keyId: string, privateJwk: JsonWebKey): Promise<UsableKey> {
    const key: StoredKey = { walletId: this.walletId, keyId, ...(await usableKeyOf(privateJwk)) }
    const transaction = this.database.transaction(KEYS, 'readwrite')
    const done = committed(transaction)
    transaction.objectStore(KEYS).add(key)
    await done
    return key
  }

  public async get(_: AgentContext, keyId: string): Promise<UsableKey | null> {
    const store = this.database.transaction(KEYS, 'readonly').objectStore(KEYS)
    return ((await requestOf(store.get([this.walletId, keyId]))) as StoredKey | undefined) ?? null
  }

  public async delete(agentContext: AgentContext, keyId: string): Promise<boolean> {
    if (!(await this.get(agentContext, keyId))) return false
    const transaction = this.database.transaction(KEYS, 'readwrite')
    const done = committed(transaction)
    transaction.objectStore(KEYS).delete([this.walletId, keyId])
    await done
    return true
  }
}
