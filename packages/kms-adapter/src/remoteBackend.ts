import { randomBytes, randomUUID } from 'node:crypto'
import { type AgentContext, Kms } from '@credo-ts/core'
import { remoteKeyTypeFor, verifyRemotely } from './signatureAlgorithms.js'

// What the remote backends (Vault transit, AWS KMS) do alike, whatever their transport. Each
// backend stays one class implementing Credo's KeyManagementService; these are plain functions
// its methods call or its fields are.

/** Random bytes from node:crypto: no remote backend is asked for them. */
export function localRandomBytes(
  _agentContext: AgentContext,
  options: Kms.KmsRandomBytesOptions,
): Kms.KmsRandomBytesReturn {
  return randomBytes(options.length)
}

/**
 * `verify` of a remote backend: done locally, with the public key `publicKeyOf` gives for the
 * key id (the backend's cached one) or with the JWK given.
 */
export function localVerify(
  backend: string,
  publicKeyOf: (agentContext: AgentContext, keyId: string) => Promise<Kms.KmsJwkPublic | null>,
) {
  return (agentContext: AgentContext, options: Kms.KmsVerifyOptions): Promise<Kms.KmsVerifyReturn> =>
    verifyRemotely(backend, options, (keyId) => publicKeyOf(agentContext, keyId))
}

/** An operation the backend does not offer: it rejects with a typed error naming `what` and the backend. */
export function notOffered(backend: string, what: string): () => Promise<never> {
  return async () => {
    throw new Kms.KeyManagementAlgorithmNotSupportedError(what, backend)
  }
}

/** A public JWK as Credo is given it: the backend's key with the Credo key id as `kid`. */
export function withKid(publicJwk: Kms.KmsJwkPublic, keyId: string): Kms.KmsJwkPublic {
  return { ...publicJwk, kid: keyId }
}

/** How a remote backend names, finds and makes a key, for {@link createRemoteKey}. */
export interface RemoteKeys<BackendType> {
  /** The backend's name, for errors (`vault`, `aws`). */
  backend: string
  /** The service, for errors (`Vault`, `AWS KMS`). */
  service: string
  /** The backend's key type for each curve it offers. */
  keyTypes: Record<string, BackendType>
  /** The backend's name for a Credo key id. */
  nameOf(keyId: string): string
  /** Whether a key of that name exists. */
  exists(name: string): Promise<boolean>
  /** Makes the key; rejects with KeyManagementKeyExistsError when another caller made it first. */
  create(name: string, type: BackendType, keyId: string): Promise<void>
  /** The key's public JWK, without `kid`; null when there is none. */
  publicKeyOf(name: string): Promise<Kms.KmsJwkPublic | null>
}

/**
 * `createKey` of a remote backend: the backend's type for the one asked for (or a typed error),
 * the key id given or a new UUID, KeyManagementKeyExistsError when the name is taken, then the
 * key made and its public key read back.
 */
export async function createRemoteKey<Type extends Kms.KmsCreateKeyType, BackendType>(
  keys: RemoteKeys<BackendType>,
  options: Kms.KmsCreateKeyOptions<Type>,
): Promise<Kms.KmsCreateKeyReturn<Type>> {
  const type = remoteKeyTypeFor(keys.backend, options.type, keys.keyTypes)
  const keyId = options.keyId ?? randomUUID()
  const name = keys.nameOf(keyId)
  if (await keys.exists(name)) throw new Kms.KeyManagementKeyExistsError(keyId, keys.backend)
  await keys.create(name, type, keyId)
  const publicJwk = await keys.publicKeyOf(name)
  if (!publicJwk) throw new Kms.KeyManagementError(`${keys.service} did not return key ${keyId} after creating it`)
  return { keyId, publicJwk: withKid(publicJwk, keyId) } as Kms.KmsCreateKeyReturn<Type>
}
