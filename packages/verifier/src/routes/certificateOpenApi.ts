import { certificateOpenApiPaths, type OpenApiPaths } from '@attesto/agent-runtime'
import { z } from 'zod'
import { verifierCertificateRequestInput } from './certificateRoutes.js'
import { verifierCertificateResponse } from './responses.js'

/** The X.509 identity part of the verifier's OpenAPI document (docs/X509.md). */
export const verifierCertificateOpenApiPaths: OpenApiPaths = certificateOpenApiPaths({
  path: '/verifiers/{verifierId}',
  pathParams: z.object({ verifierId: z.string() }),
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
