import { createHash, type KeyObject, sign, verify } from 'node:crypto'
import { check } from './ProtocolNotes.js'

// biome-ignore lint/suspicious/noExplicitAny: decoded JOSE objects are checked field by field by the caller
export type JsonObject = Record<string, any>

export interface DecodedJwt {
  header: JsonObject
  payload: JsonObject
  signingInput: string
  signature: Buffer
}

export const base64Url = (data: string | Buffer): string => Buffer.from(data).toString('base64url')

export const sha256Base64Url = (data: string): string => createHash('sha256').update(data).digest('base64url')

export function decodeJwt(step: string, compact: string): DecodedJwt {
  const [header, payload, signature, extra] = compact.split('.')
  check(header && payload && signature !== undefined && extra === undefined, step, 'not a compact JWS')
  try {
    return {
      header: JSON.parse(Buffer.from(header, 'base64url').toString()),
      payload: JSON.parse(Buffer.from(payload, 'base64url').toString()),
      signingInput: `${header}.${payload}`,
      signature: Buffer.from(signature, 'base64url'),
    }
  } catch (error) {
    check(false, step, `undecodable JWT: ${String(error)}`)
  }
}

/** Signs a JWT with an ES256 (P-256) key; `header` gets `alg` from here. */
export function signEs256Jwt(privateKey: KeyObject, header: JsonObject, payload: JsonObject): string {
  const signingInput = `${base64Url(JSON.stringify({ ...header, alg: 'ES256' }))}.${base64Url(JSON.stringify(payload))}`
  const signature = sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' })
  return `${signingInput}.${signature.toString('base64url')}`
}

/** Decodes a JWT and checks its ES256 or EdDSA signature against `publicKey`. */
export function verifyJwt(step: string, compact: string, publicKey: KeyObject): DecodedJwt {
  const jwt = decodeJwt(step, compact)
  const data = Buffer.from(jwt.signingInput)
  const alg = jwt.header.alg
  const valid =
    alg === 'ES256'
      ? verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jwt.signature)
      : alg === 'EdDSA' || alg === 'Ed25519'
        ? verify(null, data, publicKey, jwt.signature)
        : check(false, step, `unexpected signature algorithm ${alg}`)
  check(valid, step, 'signature does not verify')
  return jwt
}
