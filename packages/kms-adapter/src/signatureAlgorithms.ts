import { createPublicKey, verify as nodeVerify } from 'node:crypto'
import { Kms } from '@credo-ts/core'

/** The signature algorithms the remote backends (Vault, AWS) offer, and how each is done. */
export interface RemoteSignatureAlgorithm {
  kty: 'EC' | 'OKP'
  crv: 'P-256' | 'P-384' | 'secp256k1' | 'Ed25519'
  /** node:crypto digest for verification; null for Ed25519 (no pre-hash). */
  hash: 'sha256' | 'sha384' | null
  /** JOSE r||s length in bytes for ECDSA. */
  signatureLength: number
}

export const REMOTE_SIGNATURE_ALGORITHMS: Record<string, RemoteSignatureAlgorithm> = {
  ES256: { kty: 'EC', crv: 'P-256', hash: 'sha256', signatureLength: 64 },
  ES384: { kty: 'EC', crv: 'P-384', hash: 'sha384', signatureLength: 96 },
  ES256K: { kty: 'EC', crv: 'secp256k1', hash: 'sha256', signatureLength: 64 },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', hash: null, signatureLength: 64 },
  Ed25519: { kty: 'OKP', crv: 'Ed25519', hash: null, signatureLength: 64 },
}

/** The algorithm for `alg` if the key's type matches it, else a typed error naming both. */
export function algorithmForKey(
  backend: string,
  algorithm: string,
  publicJwk: { kty: string; crv?: string },
): RemoteSignatureAlgorithm {
  const spec = REMOTE_SIGNATURE_ALGORITHMS[algorithm]
  if (!spec) throw new Kms.KeyManagementAlgorithmNotSupportedError(`signature algorithm '${algorithm}'`, backend)
  if (spec.kty !== publicJwk.kty || spec.crv !== publicJwk.crv) {
    throw new Kms.KeyManagementError(
      `Algorithm '${algorithm}' cannot be used with a ${publicJwk.kty} ${publicJwk.crv ?? ''} key (backend ${backend})`,
    )
  }
  return spec
}

/** Verifies a JOSE signature (r||s for ECDSA) locally with node:crypto. */
export function verifyWithPublicJwk(
  publicJwk: Kms.KmsJwkPublic,
  spec: RemoteSignatureAlgorithm,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const key = createPublicKey({ format: 'jwk', key: publicJwk as unknown as import('node:crypto').JsonWebKey })
  return nodeVerify(spec.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature)
}

/** A public JWK from a PEM (SPKI) or DER public key, without `kid`. */
export function publicJwkFromSpki(spki: string | Buffer): Kms.KmsJwkPublic {
  const key =
    typeof spki === 'string' ? createPublicKey(spki) : createPublicKey({ key: spki, format: 'der', type: 'spki' })
  return key.export({ format: 'jwk' }) as Kms.KmsJwkPublic
}

/**
 * The backend's own name for an asymmetric key type (`table[crv]`), or a typed error naming the
 * backend and the type. Shared by the remote backends, which only offer EC and OKP keys.
 */
export function remoteKeyTypeFor<T>(backend: string, type: Kms.KmsCreateKeyType, table: Record<string, T>): T {
  const { kty, crv } = type as { kty: string; crv?: string }
  const mapped = crv && (kty === 'EC' || kty === 'OKP') ? table[crv] : undefined
  if (mapped === undefined) {
    throw new Kms.KeyManagementAlgorithmNotSupportedError(`key type ${[kty, crv].filter(Boolean).join(' ')}`, backend)
  }
  return mapped
}

/**
 * Verification for a remote backend: with the backend's cached public key (by key id) or the
 * given public JWK, locally with node:crypto. No call to the remote service beyond, at most, one
 * public-key read.
 */
export async function verifyRemotely(
  backend: string,
  options: Kms.KmsVerifyOptions,
  publicKeyOf: (keyId: string) => Promise<Kms.KmsJwkPublic | null>,
): Promise<Kms.KmsVerifyReturn> {
  const keyId = 'keyId' in options.key ? options.key.keyId : undefined
  const publicJwk = keyId ? await publicKeyOf(keyId) : (options.key.publicJwk as Kms.KmsJwkPublic)
  if (!publicJwk) throw new Kms.KeyManagementKeyNotFoundError(String(keyId), [backend])
  const spec = algorithmForKey(backend, options.algorithm, publicJwk)
  return verifyWithPublicJwk(publicJwk, spec, options.data, options.signature)
    ? { verified: true, publicJwk }
    : { verified: false }
}

/**
 * `isOperationSupported` of a remote backend whose key types are the keys of `keyTypes` (by
 * curve): it creates those EC and OKP keys, signs and verifies with the algorithms of those
 * curves, deletes keys, and gives random bytes. Nothing else: keys never enter it, and it does
 * not encrypt.
 */
export function remoteOperationSupported(operation: Kms.KmsOperation, keyTypes: Record<string, unknown>): boolean {
  switch (operation.operation) {
    case 'createKey':
      return (operation.type.kty === 'EC' || operation.type.kty === 'OKP') && operation.type.crv in keyTypes
    case 'sign':
    case 'verify':
      return (REMOTE_SIGNATURE_ALGORITHMS[operation.algorithm]?.crv ?? '') in keyTypes
    case 'deleteKey':
    case 'randomBytes':
      return true
    default:
      return false
  }
}
