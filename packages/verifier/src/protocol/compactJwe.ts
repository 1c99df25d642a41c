import { ECDH_ES_CONTENT_ENCRYPTIONS } from '@attesto/kms-adapter'
import { RESPONSE_ENCRYPTIONS } from './requestObject.js'

const MAX_JWE_LENGTH = 512 * 1024
const COORDINATE = /^[A-Za-z0-9_-]{43}$/

/** A `direct_post.jwt` response, parsed and checked before any key is touched. */
export interface CompactJwe {
  /** The encoded protected header: the AEAD's additional data. */
  encodedHeader: string
  /** The key the wallet names (OID4VP 1.0 §8.3: the `kid` of the key it chose), if any. */
  kid: string | undefined
  enc: 'A128GCM' | 'A256GCM'
  /** The sender's ephemeral public key: a P-256 JWK (its point is checked by the key agreement). */
  epk: { kty: 'EC'; crv: 'P-256'; x: string; y: string }
  apu: Uint8Array | undefined
  apv: Uint8Array | undefined
  iv: Uint8Array
  ciphertext: Uint8Array
  tag: Uint8Array
}

function part(value: string | undefined): Buffer {
  if (value === undefined || !/^[A-Za-z0-9_-]*$/.test(value)) throw new Error('not base64url')
  return Buffer.from(value, 'base64url')
}

function p256PublicJwk(value: unknown): CompactJwe['epk'] {
  const jwk = value as Record<string, unknown> | null
  if (typeof jwk !== 'object' || jwk === null || jwk.kty !== 'EC' || jwk.crv !== 'P-256') {
    throw new Error('epk is not a P-256 key')
  }
  if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string' || !COORDINATE.test(jwk.x) || !COORDINATE.test(jwk.y)) {
    throw new Error('epk has no valid coordinates')
  }
  if ('d' in jwk) throw new Error('epk is a private key')
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }
}

/**
 * Parses a compact JWE as OID4VP 1.0 §8.3 and HAIP 1.0 §5 allow it: direct ECDH-ES (no encrypted
 * key) on P-256, A128GCM or A256GCM, no critical extensions, at most 512 KiB. Throws a plain
 * Error saying what is wrong; the caller refuses the response.
 */
export function parseCompactJwe(jwe: string): CompactJwe {
  if (jwe.length > MAX_JWE_LENGTH) throw new Error('too large')
  const [encodedHeader, encryptedKey, iv, ciphertext, tag, ...rest] = jwe.split('.')
  if (rest.length > 0 || encryptedKey !== '' || encodedHeader === undefined)
    throw new Error('not a compact ECDH-ES JWE')
  const header = JSON.parse(part(encodedHeader).toString('utf8')) as Record<string, unknown>
  if (typeof header !== 'object' || header === null) throw new Error('header is not an object')
  if (header.alg !== 'ECDH-ES') throw new Error(`alg ${String(header.alg)}`)
  const enc = header.enc as CompactJwe['enc']
  if (!RESPONSE_ENCRYPTIONS.includes(enc) || !ECDH_ES_CONTENT_ENCRYPTIONS[enc]) throw new Error(`enc ${String(enc)}`)
  if (header.crit !== undefined) throw new Error('critical header parameters are not understood')
  if (header.kid !== undefined && typeof header.kid !== 'string') throw new Error('kid is not a string')
  return {
    encodedHeader,
    kid: header.kid as string | undefined,
    enc,
    epk: p256PublicJwk(header.epk),
    apu: typeof header.apu === 'string' ? part(header.apu) : undefined,
    apv: typeof header.apv === 'string' ? part(header.apv) : undefined,
    iv: part(iv),
    ciphertext: part(ciphertext),
    tag: part(tag),
  }
}

/** The decrypted payload as the response's parameters: a JSON object, or an Error. */
export function responseParametersOf(plaintext: Uint8Array): Record<string, unknown> {
  const payload = JSON.parse(Buffer.from(plaintext).toString('utf8'))
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new Error('not an object')
  return payload
}
