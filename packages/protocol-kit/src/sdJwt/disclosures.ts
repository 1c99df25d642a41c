import { createHash, randomBytes } from 'node:crypto'

/** base64url SHA-256 of a disclosure (or of any ASCII text, e.g. a presentation's `sd_hash` input). */
export function sha256Base64url(text: string): string {
  return createHash('sha256').update(text, 'ascii').digest('base64url')
}

/** An object property's disclosure (RFC 9901 §4.2.1): base64url JSON of `[salt, name, value]`, 128-bit salt. */
export function makeDisclosure(name: string, value: unknown, salt = randomBytes(16).toString('base64url')): string {
  return Buffer.from(JSON.stringify([salt, name, value])).toString('base64url')
}

/** Claims split into those signed in the clear and those made selectively disclosable. */
export interface ConcealedClaims {
  plain: Record<string, unknown>
  /** One per disclosable claim, in the claims' order: they follow the issuer JWT, `~`-separated. */
  disclosures: string[]
  /** The disclosures' SHA-256 digests, sorted (their order reveals nothing): the payload's `_sd`. */
  digests: string[]
}

/**
 * The top-level claims `disclosable` names become disclosures (`_sd_alg` `sha-256`), the others
 * stay plain. Which claims are disclosable is the issuer's choice (its credential configuration).
 */
export function concealClaims(
  claims: Record<string, unknown>,
  disclosable: (name: string) => boolean,
): ConcealedClaims {
  const plain: Record<string, unknown> = {}
  const disclosures: string[] = []
  for (const [name, value] of Object.entries(claims)) {
    if (disclosable(name)) disclosures.push(makeDisclosure(name, value))
    else plain[name] = value
  }
  return { plain, disclosures, digests: disclosures.map(sha256Base64url).sort() }
}

/** `<issuer-jwt>~<disclosure>~…~`: an SD-JWT as issued (no key-binding proof). */
export const joinSdJwt = (issuerJwt: string, disclosures: readonly string[]) =>
  `${[issuerJwt, ...disclosures].join('~')}~`
