import type { KeyCertificate } from '@attesto/agent-runtime'

/**
 * The X.509 certificate chain of an issuer's key, from the tenant's CA: with one, what the issuer
 * signs (SD-JWT VCs, status list tokens) carries `x5c` instead of a DID `kid` (HAIP 1.0 §6.1.1).
 * Uploaded and checked as every signing key's certificate is (agent-runtime `x509/`).
 */
export type IssuerCertificate = KeyCertificate

/**
 * Whether the certificate names the credential issuer: a SAN URI equal to its identifier, or a
 * SAN DNS name equal to its host (the rule SD-JWT VC drafts up to -09 had for `iss`).
 */
export function certificateNamesIssuer(certificate: IssuerCertificate, credentialIssuer: string): boolean {
  return (
    certificate.uris.includes(credentialIssuer) || certificate.dnsNames.includes(new URL(credentialIssuer).hostname)
  )
}
