import { certificateRoutes, certificateSigningRequestInput, HttpError } from '@attesto/agent-runtime'
import { X509ExtendedKeyUsage } from '@credo-ts/core'
import type { Router } from 'express'
import { z } from 'zod'
import type { IssuerDirectory } from '../issuers/IssuerDirectory.js'
import { issuerProfiles } from '../issuers/issuerProfiles.js'
import { mdocConfigurationIds, mdocSignerProblem } from '../issuers/mdocSigner.js'

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

/**
 * An issuer's X.509 identity (agent-runtime's certificate routes under `/issuers/:issuerId`): the
 * signing request names the credential issuer (and, with `mdocDocumentSigner`, asks for the
 * document-signer extended key usage of ISO/IEC 18013-5 Annex B), and an upload or removal makes
 * this instance's directory read the profile again. While the issuer has mso_mdoc configurations,
 * an upload must fit a document signer and the certificate cannot be removed. Credentials issued
 * before a renewal keep the chain they carry.
 */
export function issuerCertificateRoutes(credentialIssuerBaseUrl: string, directory: IssuerDirectory): Router {
  return certificateRoutes({
    path: '/issuers/:issuerId',
    profiles: issuerProfiles,
    requestInput: issuerCertificateRequestInput,
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
        throw new HttpError(
          409,
          'certificate_in_use',
          `The issuer's mso_mdoc configurations (${mdocConfigurations.join(', ')}) are signed under this certificate: remove them first, or upload a new chain instead`,
        )
      }
    },
    identifierUrl: (issuerId) => `${credentialIssuerBaseUrl}/${issuerId}`,
    changed: (_tenantContext, issuerId) => directory.invalidate(issuerId),
  })
}
