import type { JsonWebKey, KeyObject } from 'node:crypto'
import { ProtocolError } from '@attesto/agent-runtime'
import {
  ClientAttestationError,
  type DecodedJws,
  decodeJws,
  publicJwkOf,
  publicKeyFromJwk,
  verifySignature,
} from '@attesto/protocol-kit/jose'
import type { HolderBinding } from '../../issuance/IssuanceSession.js'
import { MAX_BATCH_SIZE } from '../../issuers/batchIssuance.js'
import type { ResolvedIssuer } from '../../issuers/IssuerDirectory.js'
import type { WalletProviderKeys } from '../clientAttestation/WalletProviderKeys.js'
import { PROOF_ALGORITHMS } from '../issuerMetadata.js'
import { isLiveCNonce } from '../issuerTokens.js'

/**
 * `key-attestation+jwt` (OID4VCI 1.0 Appendix D.1), and `keyattestation+jwt`, the type of the
 * drafts before it, which @openid4vc/openid4vci 0.4.6 (under Credo's holder) still writes.
 */
const KEY_ATTESTATION_TYPES = ['key-attestation+jwt', 'keyattestation+jwt']

/** How a key attestation came: in a `jwt` proof's `key_attestation` header, or as the `attestation` proof. */
export type KeyAttestationUse = 'jwt' | 'attestation'

/** A key the credential is to be bound to. */
export interface AttestedKey {
  key: KeyObject
  binding: HolderBinding
}

export interface VerifiedKeyAttestation {
  keys: AttestedKey[]
  /** The attack potential resistance the attestation asserts (Appendix D.2); empty when it asserts none. */
  keyStorage: string[]
  userAuthentication: string[]
  /** The trusted wallet provider whose key signed it. */
  walletProvider: string
}

export interface KeyAttestationChecks {
  walletProviders: WalletProviderKeys
  maxClockSkewSeconds: number
}

const invalidProof = (description: string) => new ProtocolError(400, 'invalid_proof', description)

function decode(jwt: unknown): DecodedJws {
  let decoded: DecodedJws
  try {
    decoded = decodeJws(jwt)
  } catch (error) {
    throw invalidProof(`The key attestation is not a compact JWT: ${(error as Error).message}`)
  }
  if (!KEY_ATTESTATION_TYPES.includes(decoded.header.typ as string)) {
    throw invalidProof("The key attestation's 'typ' must be 'key-attestation+jwt'")
  }
  if (typeof decoded.header.alg !== 'string' || !PROOF_ALGORITHMS.includes(decoded.header.alg)) {
    throw invalidProof(`The key attestation's 'alg' must be one of ${PROOF_ALGORITHMS.join(', ')}`)
  }
  return decoded
}

/** `iat` (required, not ahead of the clock) and `exp` (required with a `jwt` proof, not passed). */
function checkTimes(payload: Record<string, unknown>, use: KeyAttestationUse, skew: number) {
  const now = Date.now() / 1000
  if (typeof payload.iat !== 'number' || payload.iat - skew > now) {
    throw invalidProof("The key attestation must carry 'iat', not later than the issuer's clock")
  }
  const { exp } = payload
  if (exp === undefined) {
    if (use === 'jwt') throw invalidProof("A key attestation in a jwt proof's header must carry 'exp'")
    return
  }
  if (typeof exp !== 'number' || exp + skew <= now) throw invalidProof('The key attestation has expired')
}

/** `attested_keys`: a non-empty array of public JWKs, none twice, no more than a batch can take. */
function attestedKeys(value: unknown): AttestedKey[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_BATCH_SIZE) {
    throw invalidProof(`The key attestation's 'attested_keys' must be an array of 1 to ${MAX_BATCH_SIZE} public JWKs`)
  }
  return value.map((jwk, index) => {
    try {
      const key = publicKeyFromJwk(jwk as JsonWebKey)
      return { key, binding: { jwk: publicJwkOf(key) } }
    } catch (error) {
      throw invalidProof(`The key attestation's attested_keys[${index}] cannot be used: ${(error as Error).message}`)
    }
  })
}

/** `key_storage`, `user_authentication`: absent, or a non-empty array of strings. */
function levels(payload: Record<string, unknown>, name: 'key_storage' | 'user_authentication'): string[] {
  const value = payload[name]
  if (value === undefined) return []
  if (!Array.isArray(value) || value.length === 0 || !value.every((entry) => typeof entry === 'string')) {
    throw invalidProof(`The key attestation's '${name}' must be a non-empty array of strings`)
  }
  return value
}

/**
 * A c_nonce of this issuer in the attestation (Appendix D.1, F.1, F.3): required for the
 * `attestation` proof type, whose only freshness it is; with a `jwt` proof the proof carries one,
 * and the attestation's, if it names one, must be live too.
 */
function checkNonce(issuer: ResolvedIssuer, nonce: unknown, use: KeyAttestationUse) {
  if (nonce === undefined) {
    if (use === 'attestation') {
      throw invalidProof(
        "The key attestation carries no 'nonce': an attestation proof must name a c_nonce of this issuer",
      )
    }
    return
  }
  if (!isLiveCNonce(issuer, nonce)) {
    throw new ProtocolError(
      400,
      'invalid_nonce',
      "The key attestation's nonce is not a live c_nonce of this issuer: fetch a fresh one from the nonce endpoint and attest the keys with it",
    )
  }
}

/**
 * Checks a key attestation (OID4VCI 1.0 Appendix D.1; HAIP 1.0 §4.5.1): its type and algorithm,
 * `iat`/`exp`, the attested keys, the asserted levels, the nonce, and its signature by a wallet
 * provider the tenant trusts: the leaf of an `x5c` chain to one of the tenant's wallet provider
 * certificates (without the anchor itself, the leaf not self-signed), or a trusted JWK
 * (WalletProviderKeys.ts, the trust of wallet attestations). Refusals: `invalid_proof` naming the
 * problem, `invalid_nonce` for a stale nonce.
 */
export async function verifyKeyAttestation(
  issuer: ResolvedIssuer,
  jwt: unknown,
  use: KeyAttestationUse,
  checks: KeyAttestationChecks,
): Promise<VerifiedKeyAttestation> {
  const decoded = decode(jwt)
  const { payload } = decoded
  checkTimes(payload, use, checks.maxClockSkewSeconds)
  const keys = attestedKeys(payload.attested_keys)
  const keyStorage = levels(payload, 'key_storage')
  const userAuthentication = levels(payload, 'user_authentication')
  checkNonce(issuer, payload.nonce, use)
  let signer: { key: KeyObject; attester: string }
  try {
    signer = await checks.walletProviders.attesterKey(issuer.tenantId, issuer.tenantContext, 'key attestation')(decoded)
  } catch (error) {
    if (!(error instanceof ClientAttestationError)) throw error
    throw invalidProof(error.message)
  }
  if (!verifySignature(decoded.header.alg as string, signer.key, decoded.signingInput, decoded.signature)) {
    throw invalidProof("The key attestation's signature does not verify with its wallet provider's key")
  }
  return { keys, keyStorage, userAuthentication, walletProvider: signer.attester }
}
