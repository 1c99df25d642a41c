import { Kms } from '@credo-ts/core'
import type { UsableKey } from './CryptoKeyStore.js'

const subtle = () => globalThis.crypto.subtle

/** JWA signature algorithms on WebCrypto: the curve (or key type) each needs, and its parameters. */
export const SIGNATURES: Record<string, { crv?: string; kty: string; sign: AlgorithmIdentifier | EcdsaParams }> = {
  ES256: { kty: 'EC', crv: 'P-256', sign: { name: 'ECDSA', hash: 'SHA-256' } },
  ES384: { kty: 'EC', crv: 'P-384', sign: { name: 'ECDSA', hash: 'SHA-384' } },
  ES512: { kty: 'EC', crv: 'P-521', sign: { name: 'ECDSA', hash: 'SHA-512' } },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', sign: { name: 'Ed25519' } },
  Ed25519: { kty: 'OKP', crv: 'Ed25519', sign: { name: 'Ed25519' } },
  RS256: { kty: 'RSA', sign: { name: 'RSASSA-PKCS1-v1_5' } },
  RS384: { kty: 'RSA', sign: { name: 'RSASSA-PKCS1-v1_5' } },
  RS512: { kty: 'RSA', sign: { name: 'RSASSA-PKCS1-v1_5' } },
  PS256: { kty: 'RSA', sign: { name: 'RSA-PSS', saltLength: 32 } as AlgorithmIdentifier },
  PS384: { kty: 'RSA', sign: { name: 'RSA-PSS', saltLength: 48 } as AlgorithmIdentifier },
  PS512: { kty: 'RSA', sign: { name: 'RSA-PSS', saltLength: 64 } as AlgorithmIdentifier },
}
const RSA_HASH: Record<string, string> = { '256': 'SHA-256', '384': 'SHA-384', '512': 'SHA-512' }

/** Key types the wallet makes: EC curves (signing and agreement), Ed25519 (signing), X25519 (agreement). */
export const CREATED_CURVES = new Set(['P-256', 'P-384', 'P-521', 'Ed25519', 'X25519'])

/** A new key pair's private JWK (generated extractable only to be exported this once). */
export async function generatePrivateJwk(crv: string): Promise<JsonWebKey> {
  const algorithm = crv.startsWith('P-') ? { name: 'ECDSA', namedCurve: crv } : { name: crv }
  const usages: KeyUsage[] = crv === 'X25519' ? ['deriveBits'] : ['sign', 'verify']
  const pair = (await subtle().generateKey(algorithm, true, usages)) as CryptoKeyPair
  return subtle().exportKey('jwk', pair.privateKey)
}

/** The non-extractable keys of a private JWK, for what its type can do. */
export async function usableKeyOf(privateJwk: JsonWebKey): Promise<UsableKey> {
  const { kty, crv, x, y } = privateJwk
  const jwk = { kty, crv, x, y, d: privateJwk.d }
  const publicJwk = (y ? { kty, crv, x, y } : { kty, crv, x }) as Kms.KmsJwkPublic
  if (kty === 'EC' && crv) {
    const [signing, agreement] = await Promise.all([
      subtle().importKey('jwk', jwk, { name: 'ECDSA', namedCurve: crv }, false, ['sign']),
      subtle().importKey('jwk', { ...jwk, key_ops: ['deriveBits'] }, { name: 'ECDH', namedCurve: crv }, false, [
        'deriveBits',
      ]),
    ])
    return { publicJwk, signing, agreement }
  }
  if (crv === 'Ed25519') return { publicJwk, signing: await subtle().importKey('jwk', jwk, 'Ed25519', false, ['sign']) }
  if (crv === 'X25519') {
    return { publicJwk, agreement: await subtle().importKey('jwk', jwk, 'X25519', false, ['deriveBits']) }
  }
  throw new Kms.KeyManagementAlgorithmNotSupportedError(`key type ${kty} ${crv ?? ''}`, 'local')
}

/** Whether `signature` over `data` verifies under `jwk` with the JWA `algorithm`. */
export async function verifySignature(jwk: JsonWebKey, algorithm: string, signature: Uint8Array, data: Uint8Array) {
  const spec = SIGNATURES[algorithm]
  if (!spec || spec.kty !== jwk.kty || (spec.crv && spec.crv !== jwk.crv)) {
    throw new Kms.KeyManagementAlgorithmNotSupportedError(
      `${algorithm} with a ${jwk.kty} ${jwk.crv ?? ''} key`,
      'local',
    )
  }
  const { kty, crv, x, y, n, e } = jwk
  const hash = RSA_HASH[algorithm.slice(2)]
  const importAlgorithm =
    kty === 'EC'
      ? { name: 'ECDSA', namedCurve: crv }
      : kty === 'RSA'
        ? { name: (spec.sign as Algorithm).name, hash }
        : { name: 'Ed25519' }
  const publicJwk = kty === 'RSA' ? { kty, n, e } : { kty, crv, x, ...(y ? { y } : {}) }
  const key = await subtle().importKey('jwk', publicJwk, importAlgorithm as AlgorithmIdentifier, false, ['verify'])
  return subtle().verify(spec.sign, key, signature as BufferSource, data as BufferSource)
}
