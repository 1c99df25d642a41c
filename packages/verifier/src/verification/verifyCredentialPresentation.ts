import type { KeyObject } from 'node:crypto'
import { publicKeyFromJwk, publicKeyFromSelfDescribingDid, verifySignature } from '@attesto/agent-runtime'
import type { AgentContext } from '@credo-ts/core'
import { issuerKeyUrl, issuerPublicKey } from './issuerPublicKey.js'
import { PresentationRefusal } from './rejectionReason.js'
import { disclosedPayload, parseSdJwtPresentation, sha256Base64url } from './sdJwtPresentation.js'
import type { TrustAnchor } from './verifierDocuments.js'
import { type X509IssuerIdentity, x509IssuerIdentity } from './x509IssuerIdentity.js'

/** How far a key-binding proof's `iat` may be from the verifier's clock. */
export const KEY_BINDING_SKEW_SECONDS = 300

export interface KeyBindingExpectation {
  nonce: string
  /** The request's client_id. */
  audience: string
  nowSeconds: number
  /** The tenant's trust anchors, for credentials signed under an X.509 chain. */
  anchors?: readonly TrustAnchor[]
}

/** A presentation whose signatures, disclosures and key binding (or device signature) verified. */
export interface VerifiedCredential {
  format: 'dc+sd-jwt' | 'mso_mdoc'
  /** `iss`; for a credential signed under an X.509 chain without `iss`, its certificate's subject. */
  issuer: string
  /** The chain a credential with `x5c` was signed under, and the tenant's anchor it leads to. */
  issuerCertificate?: Omit<X509IssuerIdentity, 'key' | 'authorityKeyIds'>
  /** For a credential with `x5c`: its chain's Authority Key Identifiers (base64url). */
  authorityKeyIds?: string[]
  vct: string | undefined
  /** An mdoc's docType. */
  docType?: string
  /**
   * The issuer-signed claims with the disclosed ones in place (`_sd` removed); for an mdoc, the
   * disclosed data elements by namespace.
   */
  claims: Record<string, unknown>
  /** An mdoc's validity (the MSO's validFrom and validUntil, epoch seconds); an SD-JWT VC's is in `nbf`/`exp`. */
  validity?: { notBefore: number; expiresAt: number }
  /** An mdoc's status reference (the MSO's `status`); an SD-JWT VC's is the `status` claim. */
  status?: unknown
  /** The key the issuer signed with (its status list token must be signed with it too). */
  issuerKey: KeyObject
}

const refuse = (code: ConstructorParameters<typeof PresentationRefusal>[0], detail: string) =>
  new PresentationRefusal(code, detail)

function holderKey(claims: Record<string, unknown>): KeyObject {
  const cnf = claims.cnf as { jwk?: unknown; kid?: unknown } | undefined
  try {
    if (cnf?.jwk) return publicKeyFromJwk(cnf.jwk as never)
    const key = typeof cnf?.kid === 'string' ? publicKeyFromSelfDescribingDid(cnf.kid) : undefined
    if (key) return key
  } catch (error) {
    throw new PresentationRefusal('verification_failed', "The credential's holder key is invalid", false, {
      cause: error,
    })
  }
  throw refuse('verification_failed', 'The credential is not bound to a holder key (cnf)')
}

/**
 * Verifies one `dc+sd-jwt` presentation: the issuer's signature, every disclosure (RFC 9901
 * §7.1), and the key-binding proof (`typ kb+jwt`, the holder key of `cnf`, `nonce`, `aud`,
 * `sd_hash`, `iat` within {@link KEY_BINDING_SKEW_SECONDS}). Validity period, trust and the
 * query are the caller's. Throws {@link PresentationRefusal} with the failed check.
 */
export async function verifyCredentialPresentation(
  agentContext: AgentContext,
  presentation: unknown,
  expected: KeyBindingExpectation,
): Promise<VerifiedCredential> {
  const { issuerJwt, disclosures, keyBinding, boundPart } = parseSdJwtPresentation(presentation)
  const { header, payload } = issuerJwt
  if (header.typ !== 'dc+sd-jwt' && header.typ !== 'vc+sd-jwt') throw refuse('verification_failed', 'Not an SD-JWT VC')
  // An `x5c` header decides the key (SD-JWT VC draft -13 §3.5): the end-entity certificate's.
  const x509 =
    header.x5c !== undefined
      ? await x509IssuerIdentity(header.x5c, expected.anchors ?? [], new Date(expected.nowSeconds * 1000))
      : undefined
  const issuerKey = x509 ? x509.key : await issuerPublicKey(agentContext, issuerKeyUrl(header, payload))
  if (!verifySignature(String(header.alg), issuerKey, issuerJwt.signingInput, issuerJwt.signature)) {
    throw refuse('invalid_signature', "The issuer's signature does not verify")
  }
  const claims = disclosedPayload(payload, disclosures)

  if (!keyBinding) throw refuse('verification_failed', 'The presentation has no key-binding proof')
  if (keyBinding.header.typ !== 'kb+jwt') throw refuse('verification_failed', 'The key-binding proof is not kb+jwt')
  const key = holderKey(payload)
  if (!verifySignature(String(keyBinding.header.alg), key, keyBinding.signingInput, keyBinding.signature)) {
    throw refuse('invalid_signature', 'The key-binding signature does not verify with the holder key')
  }
  const proof = keyBinding.payload
  if (proof.nonce !== expected.nonce) throw refuse('nonce_mismatch', 'The key-binding nonce is not this request’s')
  if (proof.aud !== expected.audience)
    throw refuse('audience_mismatch', 'The key-binding audience is not this verifier')
  if (proof.sd_hash !== sha256Base64url(boundPart)) {
    throw refuse('invalid_disclosure', 'The presented disclosures are not those the holder signed (sd_hash)')
  }
  if (typeof proof.iat !== 'number' || Math.abs(proof.iat - expected.nowSeconds) > KEY_BINDING_SKEW_SECONDS) {
    throw refuse('verification_failed', 'The key-binding proof is not fresh (iat)')
  }
  const vct = typeof claims.vct === 'string' ? claims.vct : undefined
  if (!x509) return { format: 'dc+sd-jwt', issuer: payload.iss as string, vct, claims, issuerKey }
  const { key: _key, authorityKeyIds, ...issuerCertificate } = x509
  const issuer = typeof payload.iss === 'string' ? payload.iss : x509.subject
  return { format: 'dc+sd-jwt', issuer, issuerCertificate, authorityKeyIds, vct, claims, issuerKey }
}
