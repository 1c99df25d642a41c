import {
  type BoundRoute,
  certificateOperations,
  certificateRoutes,
  certificateSigningRequestInput,
  feature,
} from '@attesto/agent-runtime'
import { DomainError } from '@attesto/protocol-kit'
import { X509ExtendedKeyUsage } from '@credo-ts/core'
import { z } from 'zod'
import type { IssuerDirectory } from '../issuers/IssuerDirectory.js'
import { issuerProfiles } from '../issuers/issuerProfiles.js'
import { mdocConfigurationIds, mdocSignerProblem } from '../issuers/mdocSigner.js'
import { issuerCertificateResponse } from './responses.js'

/**
 * The body of an issuer's signing request: its SAN defaults name the credential issuer, and an
 * issuer of mso_mdoc credentials may ask for the ISO/IEC 18013-5 document-signer usage.
 */
export const issuerCertificateRequestInput = certificateSigningRequestInput({
  dnsNames: "SAN DNS names; default the credential issuer's host (unless it is an IP address)",
  uris: 'SAN URIs; default the credential issuer identifier',
}).extend({
  mdocDocumentSigner: z.boolean().default(false).meta({
    description:
      'Ask for the extended key usage of an ISO/IEC 18013-5 document signer (1.0.18013.5.1.2, critical), for issuers of mso_mdoc credentials (docs/MDOC.md)',
  }),
})

/** The issuer's X.509 identity operations (docs/X509.md), under `/issuers/{issuerId}`. */
export const ISSUER_CERTIFICATE_OPERATIONS = certificateOperations({
  path: '/issuers/{issuerId}',
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

/**
 * An issuer's X.509 identity (agent-runtime's certificate routes under `/issuers/:issuerId`): the
 * signing request names the credential issuer (and, with `mdocDocumentSigner`, asks for the
 * document-signer extended key usage of ISO/IEC 18013-5 Annex B), and an upload or removal makes
 * this instance's directory read the profile again. While the issuer has mso_mdoc configurations,
 * an upload must fit a document signer and the certificate cannot be removed. Credentials issued
 * before a renewal keep the chain they carry.
 */
export function issuerCertificateRoutes(credentialIssuerBaseUrl: string, directory: IssuerDirectory): BoundRoute[] {
  return certificateRoutes(ISSUER_CERTIFICATE_OPERATIONS, {
    profiles: issuerProfiles,
    extendedKeyUsages: (input) => (input.mdocDocumentSigner ? [X509ExtendedKeyUsage.MdlDs] : []),
    checkUpload: (profile, certificate) => {
      // The issuer's mdocs will be signed under it: it must fit a document signer as well.
      const unfit =
        mdocConfigurationIds(profile).length > 0 ? mdocSignerProblem({ ...profile, certificate }) : undefined
      if (unfit) throw unfit
    },
    checkRemoval: (profile) => {
      const mdocConfigurations = mdocConfigurationIds(profile)
      if (mdocConfigurations.length > 0) {
        throw new DomainError(
          'certificate_in_use',
          `The issuer's mso_mdoc configurations (${mdocConfigurations.join(', ')}) are signed under this certificate: remove them first, or upload a new chain instead`,
        )
      }
    },
    identifierUrl: (issuerId) => `${credentialIssuerBaseUrl}/${issuerId}`,
    changed: (_tenantContext, issuerId) => directory.invalidate(issuerId),
  })
}

/** The issuer's X.509 identity, mounted after the issuers' own routes (its section is theirs). */
export const issuerCertificatesFeature = feature<{ credentialIssuerBaseUrl: string; issuers: IssuerDirectory }>({
  name: 'issuer certificates',
  operations: ISSUER_CERTIFICATE_OPERATIONS,
  routes: ({ credentialIssuerBaseUrl, issuers }) => issuerCertificateRoutes(credentialIssuerBaseUrl, issuers),
})
