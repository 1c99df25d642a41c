import { certificateNamesIssuer } from './IssuerCertificate.js'
import type { ResolvedIssuer } from './IssuerDirectory.js'

/** How the issuer identifies itself in what it signs: the JOSE header's key reference, and `iss`. */
export interface IssuerSignature {
  header: { kid: string } | { x5c: string[] }
  /** Absent for a certificate that does not name the credential issuer (the certificate's subject is the issuer). */
  iss?: string
}

/**
 * With a certificate: `x5c` (leaf and intermediates), and `iss` the credential issuer identifier
 * only when the certificate names it (SAN URI or DNS), so that verifiers on SD-JWT VC drafts up
 * to -09 (which require that match) and on -13 (where the certificate's subject is the issuer and
 * `iss` is optional) both accept it. Without one: the DID `kid` and the DID as `iss`.
 */
export function issuerSignature(issuer: ResolvedIssuer): IssuerSignature {
  const { certificate } = issuer.profile
  if (!certificate) return { header: { kid: issuer.profile.didUrl }, iss: issuer.profile.did }
  return {
    header: { x5c: certificate.x5c },
    ...(certificateNamesIssuer(certificate, issuer.credentialIssuer) ? { iss: issuer.credentialIssuer } : {}),
  }
}
