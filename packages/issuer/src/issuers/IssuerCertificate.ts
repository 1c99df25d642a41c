import type { CertificateSummary } from '@attesto/protocol-kit'

/**
 * The X.509 certificate chain of an issuer's key, from the tenant's CA: with one, what the issuer
 * signs (SD-JWT VCs, status list tokens) carries `x5c` instead of a DID `kid` (HAIP 1.0 §6.1.1).
 * The summary is the leaf's, except `notAfter`: the earliest end of validity in the chain.
 */
export interface IssuerCertificate extends CertificateSummary {
  /** Leaf and intermediates, base64 DER, never the trust anchor. */
  x5c: string[]
  uploadedAt: string
}

/**
 * Whether the certificate names the credential issuer: a SAN URI equal to its identifier, or a
 * SAN DNS name equal to its host (the rule SD-JWT VC drafts up to -09 had for `iss`).
 */
export function certificateNamesIssuer(certificate: IssuerCertificate, credentialIssuer: string): boolean {
  return (
    certificate.uris.includes(credentialIssuer) || certificate.dnsNames.includes(new URL(credentialIssuer).hostname)
  )
}
