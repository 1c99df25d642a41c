import { createHash, randomBytes } from 'node:crypto'

/** How long after the decision a response code can be redeemed. */
export const RESPONSE_CODE_LIFETIME_SECONDS = 600

/** A response code's SHA-256, base64url: what the session row keeps. */
export function responseCodeDigest(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('base64url')
}

/**
 * A fresh response code (OID4VP 1.0 §8.2: a fresh, cryptographically random value, 128 bits or
 * more recommended; this one has 256) and its digest.
 */
export function newResponseCode(): { code: string; sha256: string } {
  const code = randomBytes(32).toString('base64url')
  return { code, sha256: responseCodeDigest(code) }
}

/**
 * The URI the wallet sends the browser to: the frontend's redirect URI with the code in the
 * fragment (OID4VP 1.0 §8.2's example), which browsers send to no server and no Referer carries.
 */
export function redirectWithResponseCode(redirectUri: string, code: string): string {
  return `${redirectUri}#response_code=${code}`
}
