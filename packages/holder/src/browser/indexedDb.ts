/** The object stores of a wallet database: sealed records, and the key store's CryptoKeys. */
export const RECORDS = 'records'
export const KEYS = 'keys'
const VERSION = 1

/** An IndexedDB request as a promise. */
export function requestOf<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

/** Resolves when a transaction commits (rejects when it aborts). */
export function committed(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve()
    transaction.onabort = () => reject(transaction.error)
    transaction.onerror = () => reject(transaction.error)
  })
}

/**
 * Opens (or makes) a wallet database: records keyed by [wallet, type, id] with an index by
 * [wallet, type]; keys keyed by [wallet, key id].
 */
export async function openWalletDatabase(name: string, factory: IDBFactory = indexedDB): Promise<IDBDatabase> {
  const request = factory.open(name, VERSION)
  request.onupgradeneeded = () => {
    const database = request.result
    const records = database.createObjectStore(RECORDS, { keyPath: ['walletId', 'type', 'id'] })
    records.createIndex('byType', ['walletId', 'type'])
    records.createIndex('byWallet', 'walletId')
    database.createObjectStore(KEYS, { keyPath: ['walletId', 'keyId'] })
  }
  return requestOf(request)
}
