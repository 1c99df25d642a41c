import {
  type BoundRoute,
  certificateOperations,
  certificateRoutes,
  certificateSigningRequestInput,
} from '@attesto/agent-runtime'
import type { VerifierDirectory } from '../protocol/VerifierDirectory.js'
import { verifierProfiles } from '../verification/verifierDocuments.js'
import { verifierCertificateResponse } from './responses.js'

/** The body of a verifier's signing request: its SAN defaults name the verifier's OID4VP endpoints. */
export const verifierCertificateRequestInput = certificateSigningRequestInput({
  dnsNames:
    'SAN DNS names; default the host of PUBLIC_BASE_URL (unless it is an IP address): the name x509_san_dns client identifiers use',
  uris: "SAN URIs; default the verifier's OID4VP base URL (<PUBLIC_BASE_URL>/oid4vp/<verifierId>)",
})

/** The verifier's X.509 identity operations (docs/X509.md), under `/verifiers/{verifierId}`. */
export const VERIFIER_CERTIFICATE_OPERATIONS = certificateOperations({
  path: '/verifiers/{verifierId}',
  tag: 'Verifiers',
  operationIds: {
    createRequest: 'createVerifierCertificateSigningRequest',
    put: 'putVerifierCertificate',
    remove: 'removeVerifierCertificate',
  },
  summaries: {
    createRequest:
      "A PKCS#10 certificate signing request for the verifier's request-signing key, signed in the KMS: send it to the tenant's CA",
    put: 'Upload the chain the CA returned (or a renewal): checked (certifies the verifier key, links, in validity, may sign, leaf not self-signed; 400 certificate_* otherwise); from then on new requests carry it in x5c, with an x509_hash client identifier by default',
    remove:
      'Stop using the certificate: new requests identify the verifier by its DID again; open requests made under the certificate can no longer be fetched',
  },
  requestInput: verifierCertificateRequestInput,
  requestExample: { commonName: 'Bank of Examples', organization: 'Bank of Examples', country: 'NL' },
  certificateResponse: verifierCertificateResponse,
})

/**
 * A verifier's X.509 identity (agent-runtime's certificate routes under `/verifiers/:verifierId`,
 * as for issuers): once its chain is uploaded, new requests are signed with `x5c` and identify the
 * verifier as `x509_hash` (or `x509_san_dns`); this instance's directory takes the new profile at
 * once, other instances within a few seconds (VerifierDirectory).
 */
export function verifierCertificateRoutes(baseUrl: string, directory: VerifierDirectory): BoundRoute[] {
  return certificateRoutes(VERIFIER_CERTIFICATE_OPERATIONS, {
    profiles: verifierProfiles,
    identifierUrl: (verifierId) => `${baseUrl}/oid4vp/${verifierId}`,
    changed: (tenantContext, _verifierId, profile) => directory.remember(tenantContext, profile),
  })
}
