import { type KeyCertificate, TenantDocumentStore } from '@attesto/agent-runtime'
import type { Kms } from '@credo-ts/core'

/** A verifier identity: a key in the verifier KMS and the DID that signs its requests. */
export interface VerifierProfile {
  verifierId: string
  did: string
  didUrl: string
  keyId: string
  /**
   * @deprecated Earlier versions gave each verifier one response-encryption key (P-256, ECDH-ES)
   * in the tenant's KMS. Requests now get a key each (`VerificationSession.responseKey`); this one
   * is only read, to decrypt responses to requests made before (protocol/verifierKeyDecryption.ts).
   */
  encryptionKey?: { keyId: string; publicJwk: Kms.KmsJwkPublic }
  /**
   * The signing key's certificate chain from the tenant's CA: requests are then signed with `x5c`
   * and identify the verifier by an `x509_hash` (or `x509_san_dns`) client identifier.
   */
  certificate?: KeyCertificate
}

/** An issuer the tenant accepts credentials from. */
export interface TrustedIssuer {
  did: string
  label?: string
}

/**
 * A CA certificate the tenant trusts (a national CA, an ecosystem's root, an IACA): credentials
 * whose `x5c` chain leads to it are from trusted issuers.
 */
export interface TrustAnchor {
  anchorId: string
  label?: string
  /** The certificate, base64 DER. */
  certificate: string
  subject: string
  notAfter: string
  /** SHA-256 of the DER certificate, base64url. */
  sha256: string
}

/** A stored DCQL query, to create requests by name. */
export interface PresentationTemplate {
  templateId: string
  label?: string
  dcql: { query: Record<string, unknown> }
}

export const verifierProfiles = new TenantDocumentStore<VerifierProfile>(
  'verifier-profile',
  'verifier_not_found',
  'verifier',
)
export const trustedIssuers = new TenantDocumentStore<TrustedIssuer>(
  'trusted-issuer',
  'trusted_issuer_not_found',
  'trusted issuer',
)
/** The record id of a trusted issuer is this prefix and its DID (TenantDocumentStore's `<kind>-<id>`). */
export const TRUSTED_ISSUER_RECORD_PREFIX = 'trusted-issuer-'
export const trustAnchors = new TenantDocumentStore<TrustAnchor>(
  'trust-anchor',
  'trust_anchor_not_found',
  'trust anchor',
)
export const presentationTemplates = new TenantDocumentStore<PresentationTemplate>(
  'presentation-template',
  'template_not_found',
  'presentation template',
)
