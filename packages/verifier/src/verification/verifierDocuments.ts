import { TenantDocumentStore } from '@attesto/agent-runtime'

/** A verifier identity: a key in the verifier KMS and the DID that signs its requests. */
export interface VerifierProfile {
  verifierId: string
  did: string
  didUrl: string
  keyId: string
}

/** An issuer the tenant accepts credentials from. */
export interface TrustedIssuer {
  did: string
  label?: string
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
export const presentationTemplates = new TenantDocumentStore<PresentationTemplate>(
  'presentation-template',
  'template_not_found',
  'presentation template',
)
