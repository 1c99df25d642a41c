import type { JsonWebKey, KeyObject } from 'node:crypto'
import { ProtocolError } from '@attesto/agent-runtime'
import {
  decodeJws,
  publicJwkOf,
  publicKeyFromJwk,
  publicKeyFromSelfDescribingDid,
  verifySignature,
} from '@attesto/protocol-kit/jose'
import type { HolderBinding } from '../issuance/IssuanceSession.js'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import { PROOF_ALGORITHMS } from './issuerMetadata.js'
import { isLiveCNonce } from './issuerTokens.js'

const invalidProof = (description: string) => new ProtocolError(400, 'invalid_proof', description)

/** The holder key a proof names in its header: a `jwk`, or a `kid` that is a did:jwk or did:key URL. */
function holderKey(header: Record<string, unknown>): { key: KeyObject; binding: HolderBinding } {
  const { jwk, kid } = header
  if ((jwk === undefined) === (kid === undefined)) {
    throw invalidProof("The proof's header must carry exactly one of 'jwk' and 'kid'")
  }
  try {
    if (jwk !== undefined) {
      const key = publicKeyFromJwk(jwk as JsonWebKey)
      return { key, binding: { jwk: publicJwkOf(key) } }
    }
    if (typeof kid === 'string' && kid.includes('#')) {
      const key = publicKeyFromSelfDescribingDid(kid)
      if (key) return { key, binding: { kid } }
    }
  } catch (error) {
    throw new ProtocolError(400, 'invalid_proof', `The proof's key cannot be used: ${(error as Error).message}`)
  }
  throw invalidProof("The proof's 'kid' must be a did:jwk or did:key URL with a fragment")
}

/**
 * Checks an `openid4vci-proof+jwt` (OID4VCI 1.0 Appendix F.1): type, algorithm, the holder's
 * signature, `aud` (this credential issuer), `iat` within the allowed skew, and `nonce` a live
 * c_nonce of this issuer (`invalid_nonce` otherwise, so the wallet fetches a fresh one and
 * retries). Answers the key the credential is to be bound to, as the credential names it
 * (`binding`) and as a key object, and the `key_attestation` header if the proof carries one
 * (checked by keyAttestation/).
 */
export function verifyProof(
  issuer: ResolvedIssuer,
  proof: string,
  maxClockSkewSeconds: number,
): { binding: HolderBinding; key: KeyObject; keyAttestation?: unknown } {
  let decoded: ReturnType<typeof decodeJws>
  try {
    decoded = decodeJws(proof)
  } catch (error) {
    throw invalidProof((error as Error).message)
  }
  const { header, payload } = decoded
  if (header.typ !== 'openid4vci-proof+jwt') throw invalidProof("The proof's 'typ' must be 'openid4vci-proof+jwt'")
  if (typeof header.alg !== 'string' || !PROOF_ALGORITHMS.includes(header.alg)) {
    throw invalidProof(`The proof's 'alg' must be one of ${PROOF_ALGORITHMS.join(', ')}`)
  }
  const { key, binding } = holderKey(header)
  if (!verifySignature(header.alg, key, decoded.signingInput, decoded.signature)) {
    throw invalidProof("The proof's signature does not verify with its key")
  }
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud]
  if (!audiences.includes(issuer.credentialIssuer)) {
    throw invalidProof(`The proof's 'aud' must be the credential issuer ${issuer.credentialIssuer}`)
  }
  const iat = payload.iat
  if (typeof iat !== 'number' || Math.abs(iat - Date.now() / 1000) > maxClockSkewSeconds) {
    throw invalidProof(`The proof's 'iat' must be within ${maxClockSkewSeconds} seconds of the issuer's clock`)
  }
  if (!isLiveCNonce(issuer, payload.nonce)) {
    throw new ProtocolError(
      400,
      'invalid_nonce',
      "The proof's nonce is missing, unknown or expired: fetch a fresh one from the nonce endpoint",
    )
  }
  return { binding, key, ...(header.key_attestation !== undefined ? { keyAttestation: header.key_attestation } : {}) }
}
