import type { KeyObject } from 'node:crypto'
import { verifySignature } from '@attesto/protocol-kit/jose'
import {
  disclosedPayload,
  parseSdJwtPresentation,
  SdJwtError,
  type SdJwtErrorCode,
  verifyKeyBinding,
} from '@attesto/protocol-kit/sd-jwt'
import type { AgentContext } from '@credo-ts/core'
import { issuerKeyUrl, issuerPublicKey } from './issuerPublicKey.js'
import { PresentationRefusal, type RejectionCode } from './rejectionReason.js'
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

/** The verifier's rejection code of each way the SD-JWT format checks can fail. */
const SD_JWT_REFUSALS: Record<SdJwtErrorCode, RejectionCode> = {
  malformed: 'verification_failed',
  invalid_disclosure: 'invalid_disclosure',
  invalid_key_binding: 'verification_failed',
  invalid_signature: 'invalid_signature',
  nonce_mismatch: 'nonce_mismatch',
  audience_mismatch: 'audience_mismatch',
}

/** `check()`, with an {@link SdJwtError} refused as a {@link PresentationRefusal} of the same detail. */
function asRefusal<T>(check: () => T): T {
  try {
    return check()
  } catch (error) {
    if (!(error instanceof SdJwtError)) throw error
    const options = error.cause === undefined ? undefined : { cause: error.cause }
    throw new PresentationRefusal(SD_JWT_REFUSALS[error.code], error.message, false, options)
  }
}

/**
 * Verifies one `dc+sd-jwt` presentation: the issuer's signature, every disclosure (RFC 9901
 * §7.1), and the key-binding proof (`typ kb+jwt`, the holder key of `cnf`, `nonce`, `aud`,
 * `sd_hash`, `iat` within {@link KEY_BINDING_SKEW_SECONDS}); the format checks are
 * `protocol-kit`'s (`@attesto/protocol-kit/sd-jwt`). Validity period, trust and the
 * query are the caller's. Throws {@link PresentationRefusal} with the failed check.
 */
export async function verifyCredentialPresentation(
  agentContext: AgentContext,
  presentation: unknown,
  expected: KeyBindingExpectation,
): Promise<VerifiedCredential> {
  const parsed = asRefusal(() => parseSdJwtPresentation(presentation))
  const { header, payload } = parsed.issuerJwt
  if (header.typ !== 'dc+sd-jwt' && header.typ !== 'vc+sd-jwt') throw refuse('verification_failed', 'Not an SD-JWT VC')
  // An `x5c` header decides the key (SD-JWT VC draft -13 §3.5): the end-entity certificate's.
  const x509 =
    header.x5c !== undefined
      ? await x509IssuerIdentity(header.x5c, expected.anchors ?? [], new Date(expected.nowSeconds * 1000))
      : undefined
  const issuerKey = x509 ? x509.key : await issuerPublicKey(agentContext, issuerKeyUrl(header, payload))
  if (!verifySignature(String(header.alg), issuerKey, parsed.issuerJwt.signingInput, parsed.issuerJwt.signature)) {
    throw refuse('invalid_signature', "The issuer's signature does not verify")
  }
  const claims = asRefusal(() => disclosedPayload(payload, parsed.disclosures))
  asRefusal(() =>
    verifyKeyBinding(parsed, payload, {
      nonce: expected.nonce,
      audience: expected.audience,
      nowSeconds: expected.nowSeconds,
      skewSeconds: KEY_BINDING_SKEW_SECONDS,
    }),
  )
  const vct = typeof claims.vct === 'string' ? claims.vct : undefined
  if (!x509) return { format: 'dc+sd-jwt', issuer: payload.iss as string, vct, claims, issuerKey }
  const { key: _key, authorityKeyIds, ...issuerCertificate } = x509
  const issuer = typeof payload.iss === 'string' ? payload.iss : x509.subject
  return { format: 'dc+sd-jwt', issuer, issuerCertificate, authorityKeyIds, vct, claims, issuerKey }
}
