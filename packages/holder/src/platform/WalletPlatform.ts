import type { BaseRecord, Kms, StorageService } from '@credo-ts/core'

// biome-ignore lint/suspicious/noExplicitAny: Credo's own storage contract is typed this way.
type AnyRecord = BaseRecord<any, any, any>

/**
 * Where a wallet's rows live: Credo's `StorageService`, partitioned by the agent context's
 * correlation id (the wallet id). The wallet seals every record before it gets here, so a store
 * only ever sees ciphertext, hashed tag values and the key header.
 */
export interface WalletRecordStore extends StorageService<AnyRecord> {
  /** The record types a partition holds rows of. */
  recordTypes(partition: string): Promise<string[]>
  /** Reads, changes and writes one record with no other writer in between (key header swaps). */
  updateByIdWithLock: NonNullable<StorageService<AnyRecord>['updateByIdWithLock']>
}

/** Where the wallet lives, as the app says it: each platform accepts its own places. */
export interface WalletPlaceOptions {
  /** Node: embedded storage directory (PGlite) for an app. */
  dataDir?: string
  /** Node: PostgreSQL for a wallet backend: every wallet on it is a partition, named by `walletId`. */
  databaseUrl?: string
  /** Node: a throwaway wallet in memory (tests, demos): it is gone when the process ends. */
  inMemory?: boolean
  /** Node: the PostgreSQL (or PGlite) schema of the wallet tables (default `holder`). */
  databaseSchema?: string
  /** Browser: the IndexedDB database the wallet lives in (several wallets may share one, by `walletId`). */
  indexedDb?: string
}

/** A wallet's storage and key store, open. */
export interface WalletPlatformStorage {
  store: WalletRecordStore
  /**
   * The key store of the unlocked wallet. `dataKey` is the wallet's data-encryption key (32
   * bytes): a store that keeps private keys as data encrypts them under it; one that keeps them
   * in hardware or as non-extractable keys may ignore it.
   */
  keyManagement(dataKey: Uint8Array, walletId: string): Kms.KeyManagementService
  close(): Promise<void>
}

/** What the wallet needs from where it runs: a record store and a key store (node, a browser, or the app's own). */
export interface WalletPlatform {
  /** Opens the storage `options` name; `invalid_options` (a `HolderWalletError`) when they name none this platform has. */
  open(options: WalletPlaceOptions): Promise<WalletPlatformStorage>
}
