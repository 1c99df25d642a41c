import { type KeyObject, verify } from 'node:crypto'
import type { JwsAlgorithm } from './publicKeys.js'

export class JwsError extends Error {}

export interface DecodedJws {
  header: Record<string, unknown>
  payload: Record<string, unknown>
  signingInput: Buffer
  signature: Buffer
}

const MAX_JWS_LENGTH = 64 * 1024

function decodePart(part: string, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object')
    return value
  } catch (error) {
    throw new JwsError(`The JWT's ${what} is not a base64url JSON object`, { cause: error })
  }
}

/** Splits and decodes a compact JWS (no verification). Refuses oversized and malformed input. */
export function decodeJws(jws: unknown): DecodedJws {
  if (typeof jws !== 'string' || jws.length > MAX_JWS_LENGTH) throw new JwsError('Expected a compact JWT')
  const parts = jws.split('.')
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) {
    throw new JwsError('Expected a compact JWT of three base64url parts')
  }
  const [header, payload, signature] = parts as [string, string, string]
  const signatureBytes = Buffer.from(signature, 'base64url')
  // Only the canonical encoding: a JWT whose last character differs in ignored bits is not the same JWT.
  if (signatureBytes.toString('base64url') !== signature)
    throw new JwsError('The JWT signature is not canonical base64url')
  return {
    header: decodePart(header, 'header'),
    payload: decodePart(payload, 'payload'),
    signingInput: Buffer.from(`${header}.${payload}`),
    signature: signatureBytes,
  }
}

const NODE_DIGEST: Record<JwsAlgorithm, string | null> = {
  ES256: 'sha256',
  ES384: 'sha384',
  EdDSA: null,
  Ed25519: null,
}

/** Whether `signature` over `data` verifies with `key` under the JOSE algorithm (ECDSA as r‖s). */
export function verifySignature(alg: string, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  if (!(alg in NODE_DIGEST)) return false
  const keyType = key.asymmetricKeyType
  const fits = alg === 'ES256' || alg === 'ES384' ? keyType === 'ec' : keyType === 'ed25519'
  if (!fits) return false
  if (alg === 'ES256' && key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return false
  if (alg === 'ES384' && key.asymmetricKeyDetails?.namedCurve !== 'secp384r1') return false
  try {
    return verify(NODE_DIGEST[alg as JwsAlgorithm], data, { key, dsaEncoding: 'ieee-p1363' }, signature)
  } catch {
    return false
  }
}

export function encodeJwsPart(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}
