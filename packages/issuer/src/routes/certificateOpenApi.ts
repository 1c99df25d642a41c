import { certificateOpenApiPaths, type OpenApiPaths } from '@attesto/agent-runtime'
import { z } from 'zod'
import { issuerCertificateRequestInput } from './certificateRoutes.js'
import { issuerCertificateResponse } from './responses.js'

/** The X.509 identity part of the issuer's OpenAPI document (docs/X509.md). */
export const issuerCertificateOpenApiPaths: OpenApiPaths = certificateOpenApiPaths({
  path: '/issuers/{issuerId}',
  pathParams: z.object({ issuerId: z.string() }),
  tag: 'Issuers',
  operationIds: {
    createRequest: 'createCertificateSigningRequest',
    put: 'putIssuerCertificate',
    remove: 'removeIssuerCertificate',
  },
  summaries: {
    createRequest:
      "A PKCS#10 certificate signing request for the issuer's key, signed in the KMS: send it to the tenant's CA",
    put: 'Upload the chain the CA returned (or a renewal): checked (certifies the issuer key, links, in validity, may sign, leaf not self-signed; 400 certificate_* otherwise); from then on SD-JWT VCs and status list tokens carry it in x5c, mdocs in x5chain',
    remove: 'Stop using the certificate: what the issuer signs from then on is identified by its DID again',
  },
  descriptions: {
    put: 'With mso_mdoc configurations, the CA that issued the certificate must name its country (409 certificate_country_missing).',
    remove:
      'Refused while the issuer has mso_mdoc configurations (409 certificate_in_use): an mdoc is always signed under a certificate.',
  },
  extraErrors: { put: [409], remove: [409] },
  requestInput: issuerCertificateRequestInput,
  requestExample: { commonName: 'University of Examples', organization: 'University of Examples', country: 'NL' },
  certificateResponse: issuerCertificateResponse,
})
