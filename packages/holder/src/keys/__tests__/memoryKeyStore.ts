import type { AgentContext } from '@credo-ts/core'
import type { CryptoKeyStore, UsableKey } from '../CryptoKeyStore.js'
import { usableKeyOf } from '../webCryptoKeys.js'

/** A key store in memory that keeps only the non-extractable keys, as IndexedDB does. */
export class MemoryKeyStore implements CryptoKeyStore {
  public readonly keys = new Map<string, UsableKey>()
  public async add(_: AgentContext, keyId: string, privateJwk: JsonWebKey) {
    const key = await usableKeyOf(privateJwk)
    this.keys.set(keyId, key)
    return key
  }
  public async get(_: AgentContext, keyId: string) {
    return this.keys.get(keyId) ?? null
  }
  public async delete(_: AgentContext, keyId: string) {
    return this.keys.delete(keyId)
  }
}
