import { certificateRoutes, certificateSigningRequestInput } from '@attesto/agent-runtime'
import type { Router } from 'express'
import type { VerifierDirectory } from '../protocol/VerifierDirectory.js'
import { verifierProfiles } from '../verification/verifierDocuments.js'

/** The body of a verifier's signing request: its SAN defaults name the verifier's OID4VP endpoints. */
export const verifierCertificateRequestInput = certificateSigningRequestInput({
  dnsNames:
    'SAN DNS names; default the host of PUBLIC_BASE_URL (unless it is an IP address): the name x509_san_dns client identifiers use',
  uris: "SAN URIs; default the verifier's OID4VP base URL (<PUBLIC_BASE_URL>/oid4vp/<verifierId>)",
})

/**
 * A verifier's X.509 identity (agent-runtime's certificate routes under `/verifiers/:verifierId`,
 * as for issuers): once its chain is uploaded, new requests are signed with `x5c` and identify the
 * verifier as `x509_hash` (or `x509_san_dns`); this instance's directory takes the new profile at
 * once, other instances within a few seconds (VerifierDirectory).
 */
export function verifierCertificateRoutes(baseUrl: string, directory: VerifierDirectory): Router {
  return certificateRoutes({
    path: '/verifiers/:verifierId',
    profiles: verifierProfiles,
    requestInput: verifierCertificateRequestInput,
    identifierUrl: (verifierId) => `${baseUrl}/oid4vp/${verifierId}`,
    changed: (tenantContext, _verifierId, profile) => directory.remember(tenantContext, profile),
  })
}
