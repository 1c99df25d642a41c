import type { RequestObject } from '@attesto/testing/wallets'
import { expect } from '@jest/globals'
import { CompactEncrypt, importJWK, type JWK } from 'jose'

/** The response-encryption key a request object lists (its only `use: enc` key). */
export function listedKey(request: RequestObject): JWK {
  const keys = request.payload.client_metadata.jwks?.keys ?? []
  expect(keys).toHaveLength(1)
  return keys[0] as JWK
}

/**
 * A compact JWE of `params` made by jose alone: ECDH-ES to `jwk`, content encryption `enc`, and
 * the `kid` the wallet names in its header (the key's own unless `kid` says otherwise).
 */
export async function encryptWithJose(
  jwk: JWK,
  params: Record<string, unknown>,
  { enc = 'A128GCM', kid = jwk.kid }: { enc?: 'A128GCM' | 'A256GCM'; kid?: string } = {},
): Promise<string> {
  return new CompactEncrypt(Buffer.from(JSON.stringify(params)))
    .setProtectedHeader({ alg: 'ECDH-ES', enc, ...(kid === undefined ? {} : { kid }) })
    .encrypt(await importJWK(jwk, 'ECDH-ES'))
}

/** `url` (a request URI or response URI of one instance) pointed at the instance serving `baseUrl`. */
export function atInstance(url: string, baseUrl: string): string {
  const moved = new URL(url)
  const base = new URL(baseUrl)
  moved.protocol = base.protocol
  moved.host = base.host
  return moved.href
}

/** An `openid4vp://` URI whose request URI points at the instance serving `baseUrl`. */
export function uriAtInstance(uri: string, baseUrl: string): string {
  const parsed = new URL(uri)
  const requestUri = parsed.searchParams.get('request_uri') as string
  parsed.searchParams.set('request_uri', atInstance(requestUri, baseUrl))
  return parsed.href
}
