import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto'
import { jwkThumbprintInput } from './jwkThumbprintInput.js'

/** JOSE algorithms the protocol path verifies, and the key types they need. */
export const SUPPORTED_ALGORITHMS = ['ES256', 'ES384', 'EdDSA', 'Ed25519'] as const
export type JwsAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number]

export class PublicKeyError extends Error {}

const cache = new Map<string, KeyObject>()
const MAX_CACHED = 20_000

function remember(id: string, make: () => KeyObject): KeyObject {
  let key = cache.get(id)
  if (!key) {
    key = make()
    if (cache.size >= MAX_CACHED) cache.clear()
    cache.set(id, key)
  }
  return key
}

/** A public JWK as a node KeyObject, imported once per process (import costs more than a verify). */
export function publicKeyFromJwk(jwk: JsonWebKey): KeyObject {
  if (typeof jwk !== 'object' || jwk === null || 'd' in jwk) throw new PublicKeyError('Expected a public JWK')
  const { kty, crv, x, y } = jwk as Record<string, unknown>
  if (typeof x !== 'string' || (kty === 'EC' && typeof y !== 'string')) throw new PublicKeyError('Incomplete JWK')
  if (!((kty === 'EC' && (crv === 'P-256' || crv === 'P-384')) || (kty === 'OKP' && crv === 'Ed25519'))) {
    throw new PublicKeyError(`Unsupported key type ${String(kty)}/${String(crv)}`)
  }
  return remember(`jwk:${crv}:${x}:${y ?? ''}`, () =>
    createPublicKey({ key: { kty, crv, x, y } as JsonWebKey, format: 'jwk' }),
  )
}

// SubjectPublicKeyInfo prefixes of a compressed P-256 point and a raw Ed25519 key: OpenSSL
// decompresses the point itself, far cheaper than doing it in JavaScript.
const P256_COMPRESSED_SPKI = Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex')
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex')
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

function base58Decode(text: string): Buffer {
  let value = 0n
  for (const char of text) {
    const digit = BASE58.indexOf(char)
    if (digit < 0) throw new PublicKeyError('Invalid base58')
    value = value * 58n + BigInt(digit)
  }
  const hex = value === 0n ? '' : value.toString(16)
  const bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex')
  const zeros = text.match(/^1*/)?.[0].length ?? 0
  return Buffer.concat([Buffer.alloc(zeros), bytes])
}

/** The public key of a `did:key` (P-256 or Ed25519), cached. */
export function publicKeyFromDidKey(did: string): KeyObject {
  return remember(did, () => {
    const multibase = did.slice('did:key:'.length).split('#')[0] ?? ''
    if (!multibase.startsWith('z')) throw new PublicKeyError('did:key must be base58btc')
    const bytes = base58Decode(multibase.slice(1))
    if (bytes[0] === 0x80 && bytes[1] === 0x24 && bytes.length === 35) {
      return createPublicKey({
        key: Buffer.concat([P256_COMPRESSED_SPKI, bytes.subarray(2)]),
        format: 'der',
        type: 'spki',
      })
    }
    if (bytes[0] === 0xed && bytes[1] === 0x01 && bytes.length === 34) {
      return createPublicKey({ key: Buffer.concat([ED25519_SPKI, bytes.subarray(2)]), format: 'der', type: 'spki' })
    }
    throw new PublicKeyError('Unsupported did:key type (P-256 and Ed25519 are)')
  })
}

/** The public key a DID URL names, for the DIDs that need no resolution (did:jwk, did:key). */
export function publicKeyFromSelfDescribingDid(didUrl: string): KeyObject | undefined {
  if (didUrl.startsWith('did:jwk:')) {
    const encoded = didUrl.slice('did:jwk:'.length).split('#')[0] ?? ''
    try {
      return publicKeyFromJwk(JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')))
    } catch (error) {
      throw new PublicKeyError('Invalid did:jwk', { cause: error })
    }
  }
  if (didUrl.startsWith('did:key:')) return publicKeyFromDidKey(didUrl)
  return undefined
}

/** The public JWK of a key object (for `cnf.jwk`). */
export function publicJwkOf(key: KeyObject): JsonWebKey {
  const { kty, crv, x, y } = key.export({ format: 'jwk' })
  return y === undefined ? { kty, crv, x } : { kty, crv, x, y }
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url). */
export function jwkThumbprint(jwk: JsonWebKey): string {
  return createHash('sha256').update(jwkThumbprintInput(jwk)).digest('base64url')
}
