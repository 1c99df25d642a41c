import type { KeyObject } from 'node:crypto'
import { type DecodedJws, verifySignature } from '../jose/compactJws.js'
import { publicKeyFromJwk, publicKeyFromSelfDescribingDid } from '../jose/publicKeys.js'
import { sha256Base64url } from './disclosures.js'
import { SdJwtError } from './SdJwtError.js'
import type { SdJwtPresentation } from './sdJwtPresentation.js'

/** What the key-binding proof must say: this request's nonce and audience, made about now. */
export interface KeyBindingExpectation {
  nonce: string
  audience: string
  nowSeconds: number
  /** How far the proof's `iat` may lie from `nowSeconds`, either way. */
  skewSeconds: number
}

/** The holder key an SD-JWT VC is bound to: `cnf.jwk`, or `cnf.kid` naming a did:jwk or did:key. */
export function holderKeyOf(claims: Record<string, unknown>): KeyObject {
  const cnf = claims.cnf as { jwk?: unknown; kid?: unknown } | undefined
  try {
    if (cnf?.jwk) return publicKeyFromJwk(cnf.jwk as never)
    const key = typeof cnf?.kid === 'string' ? publicKeyFromSelfDescribingDid(cnf.kid) : undefined
    if (key) return key
  } catch (error) {
    throw new SdJwtError('invalid_key_binding', "The credential's holder key is invalid", { cause: error })
  }
  throw new SdJwtError('invalid_key_binding', 'The credential is not bound to a holder key (cnf)')
}

/**
 * The key-binding proof of a presentation (RFC 9901 §4.3, §7.3), checked in this order: present,
 * `typ kb+jwt`, signed by the holder key of the issuer-signed payload's `cnf`, `nonce`, `aud`,
 * `sd_hash` over the presented disclosures, `iat` within the skew. Throws {@link SdJwtError}.
 */
export function verifyKeyBinding(
  presentation: Pick<SdJwtPresentation, 'keyBinding' | 'boundPart'>,
  issuerPayload: Record<string, unknown>,
  expected: KeyBindingExpectation,
): DecodedJws {
  const { keyBinding } = presentation
  if (!keyBinding) throw new SdJwtError('invalid_key_binding', 'The presentation has no key-binding proof')
  if (keyBinding.header.typ !== 'kb+jwt') {
    throw new SdJwtError('invalid_key_binding', 'The key-binding proof is not kb+jwt')
  }
  const key = holderKeyOf(issuerPayload)
  if (!verifySignature(String(keyBinding.header.alg), key, keyBinding.signingInput, keyBinding.signature)) {
    throw new SdJwtError('invalid_signature', 'The key-binding signature does not verify with the holder key')
  }
  const proof = keyBinding.payload
  if (proof.nonce !== expected.nonce)
    throw new SdJwtError('nonce_mismatch', 'The key-binding nonce is not this request’s')
  if (proof.aud !== expected.audience) {
    throw new SdJwtError('audience_mismatch', 'The key-binding audience is not this verifier')
  }
  if (proof.sd_hash !== sha256Base64url(presentation.boundPart)) {
    throw new SdJwtError('invalid_disclosure', 'The presented disclosures are not those the holder signed (sd_hash)')
  }
  if (typeof proof.iat !== 'number' || Math.abs(proof.iat - expected.nowSeconds) > expected.skewSeconds) {
    throw new SdJwtError('invalid_key_binding', 'The key-binding proof is not fresh (iat)')
  }
  return keyBinding
}
