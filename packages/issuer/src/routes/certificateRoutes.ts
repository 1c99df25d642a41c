import { certificateRoutes, certificateSigningRequestInput } from '@attesto/agent-runtime'
import type { Router } from 'express'
import type { IssuerDirectory } from '../issuers/IssuerDirectory.js'
import { issuerProfiles } from '../issuers/issuerProfiles.js'

/** The body of an issuer's signing request: its SAN defaults name the credential issuer. */
export const issuerCertificateRequestInput = certificateSigningRequestInput({
  dnsNames: "SAN DNS names; default the credential issuer's host (unless it is an IP address)",
  uris: 'SAN URIs; default the credential issuer identifier',
})

/**
 * An issuer's X.509 identity (agent-runtime's certificate routes under `/issuers/:issuerId`): the
 * signing request names the credential issuer, and an upload or removal makes this instance's
 * directory read the profile again. Credentials issued before a renewal keep the chain they carry.
 */
export function issuerCertificateRoutes(credentialIssuerBaseUrl: string, directory: IssuerDirectory): Router {
  return certificateRoutes({
    path: '/issuers/:issuerId',
    profiles: issuerProfiles,
    requestInput: issuerCertificateRequestInput,
    identifierUrl: (issuerId) => `${credentialIssuerBaseUrl}/${issuerId}`,
    changed: (_tenantContext, issuerId) => directory.invalidate(issuerId),
  })
}
