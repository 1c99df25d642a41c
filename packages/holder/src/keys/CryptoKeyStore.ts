import type { AgentContext, Kms } from '@credo-ts/core'

/** A key as WebCrypto uses it: non-extractable `CryptoKey`s of one key pair, by what they do. */
export interface UsableKey {
  publicJwk: Kms.KmsJwkPublic
  /** ECDSA or Ed25519: signatures. */
  signing?: CryptoKey
  /** ECDH or X25519: key agreement (ECDH-ES). */
  agreement?: CryptoKey
}

/**
 * Where {@link WebCryptoKeyManagementService} keeps its keys: IndexedDB in a browser (the
 * `CryptoKey`s themselves), the wallet's sealed storage in node (the private JWK encrypted under
 * the wallet's key, imported as non-extractable keys when used).
 */
export interface CryptoKeyStore {
  /** Keeps a new key; `privateJwk` is the only exported form it ever has. */
  add(agentContext: AgentContext, keyId: string, privateJwk: JsonWebKey): Promise<UsableKey>
  get(agentContext: AgentContext, keyId: string): Promise<UsableKey | null>
  delete(agentContext: AgentContext, keyId: string): Promise<boolean>
  /**
   * The private JWK of a key, for a wallet backup: only a store that keeps keys as data it can
   * decrypt has this (node's sealed store); a store of non-extractable keys (IndexedDB) does not.
   */
  exportPrivateJwk?(agentContext: AgentContext, keyId: string): Promise<JsonWebKey | null>
}
