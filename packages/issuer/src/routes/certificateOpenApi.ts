import { type OpenApiPaths, openApi } from '@attesto/agent-runtime'
import { z } from 'zod'
import { certificateSigningRequestInput } from '../issuers/certificateSigningRequest.js'
import { certificateChainInput } from './certificateRoutes.js'
import { certificateSigningRequestResponse, issuerCertificateResponse } from './responses.js'

const { json, answer, errors } = openApi
const issuerPath = z.object({ issuerId: z.string() })

/** The X.509 identity part of the issuer's OpenAPI document (docs/X509.md). */
export const certificateOpenApiPaths: OpenApiPaths = {
  '/issuers/{issuerId}/certificate-signing-request': {
    post: {
      operationId: 'createCertificateSigningRequest',
      tags: ['Issuers'],
      summary:
        "A PKCS#10 certificate signing request for the issuer's key, signed in the KMS: send it to the tenant's CA",
      requestParams: { path: issuerPath },
      requestBody: {
        required: true,
        ...json(
          certificateSigningRequestInput.meta({
            examples: [{ commonName: 'University of Examples', organization: 'University of Examples', country: 'NL' }],
          }),
        ),
      },
      responses: { '200': answer('The request, PEM', certificateSigningRequestResponse), ...errors(400, 401, 404) },
    },
  },
  '/issuers/{issuerId}/certificate': {
    put: {
      operationId: 'putIssuerCertificate',
      tags: ['Issuers'],
      summary:
        'Upload the chain the CA returned (or a renewal): checked (certifies the issuer key, links, in validity, may sign, leaf not self-signed; 400 certificate_* otherwise); from then on SD-JWT VCs and status list tokens carry it in x5c, mdocs in x5chain',
      description:
        'With mso_mdoc configurations, the CA that issued the certificate must name its country (409 certificate_country_missing).',
      requestParams: { path: issuerPath },
      requestBody: {
        required: true,
        ...json(
          certificateChainInput.meta({
            examples: [
              {
                chain:
                  '-----BEGIN CERTIFICATE-----\nMIIB…\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nMIIB…\n-----END CERTIFICATE-----',
              },
            ],
          }),
        ),
      },
      responses: {
        '200': answer('The certificate now in use', issuerCertificateResponse),
        ...errors(400, 401, 404, 409),
      },
    },
    delete: {
      operationId: 'removeIssuerCertificate',
      tags: ['Issuers'],
      summary: 'Stop using the certificate: what the issuer signs from then on is identified by its DID again',
      description:
        'Refused while the issuer has mso_mdoc configurations (409 certificate_in_use): an mdoc is always signed under a certificate.',
      requestParams: { path: issuerPath },
      responses: { '204': { description: 'Removed' }, ...errors(401, 404, 409) },
    },
  },
}
