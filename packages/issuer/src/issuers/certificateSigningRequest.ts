import { type AgentContext, Kms, X509ExtendedKeyUsage, X509KeyUsage, X509Service } from '@credo-ts/core'
import { z } from 'zod'
import type { IssuerProfile } from './issuerProfiles.js'

const dnsName = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i, 'a DNS name')
const printable = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^,=+<>#;\\"]+$/, 'no , = + < > # ; \\ or "')

export const certificateSigningRequestInput = z.strictObject({
  commonName: printable.meta({ description: 'The subject CN, usually the organisation or service name' }),
  organization: printable.optional(),
  organizationalUnit: printable.optional(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'an ISO 3166 two-letter code')
    .optional(),
  dnsNames: z.array(dnsName).max(10).optional().meta({
    description: "SAN DNS names; default the credential issuer's host (unless it is an IP address)",
  }),
  uris: z.array(z.url()).max(10).optional().meta({
    description: 'SAN URIs; default the credential issuer identifier',
  }),
  mdocDocumentSigner: z.boolean().default(false).meta({
    description:
      'Ask for the extended key usage of an ISO/IEC 18013-5 document signer (1.0.18013.5.1.2, critical), for issuers of mso_mdoc credentials (docs/MDOC.md)',
  }),
})
export type CertificateSigningRequestInput = z.infer<typeof certificateSigningRequestInput>

/**
 * A PKCS#10 certificate signing request for the issuer's key, signed in the tenant's KMS (the
 * private key never leaves it). The subject alternative names default to the credential
 * issuer's identifier and host, so that the certificate names the issuer. With
 * `mdocDocumentSigner`, it asks for the document-signer extended key usage of ISO/IEC 18013-5
 * Annex B (the CA decides what the certificate finally carries).
 */
export async function certificateSigningRequest(
  tenantContext: AgentContext,
  profile: IssuerProfile,
  credentialIssuer: string,
  input: CertificateSigningRequestInput,
): Promise<string> {
  const kms = tenantContext.dependencyManager.resolve(Kms.KeyManagementApi)
  const publicJwk = await kms.getPublicKey({ keyId: profile.keyId })
  if (publicJwk.kty === 'oct') throw new Error('An issuer key is asymmetric')
  const subjectPublicKey = Kms.PublicJwk.fromPublicJwk(publicJwk)
  subjectPublicKey.keyId = profile.keyId
  const host = new URL(credentialIssuer).hostname
  const dnsNames = input.dnsNames ?? (/^[\d.]+$|:/.test(host) ? [] : [host])
  const uris = input.uris ?? [credentialIssuer]
  const subject = [
    ['CN', input.commonName],
    ['OU', input.organizationalUnit],
    ['O', input.organization],
    ['C', input.country],
  ]
    .filter(([, value]) => value)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ')
  const request = await X509Service.createCertificateSigningRequest(tenantContext, {
    subjectPublicKey,
    subject,
    extensions: {
      keyUsage: { usages: [X509KeyUsage.DigitalSignature], markAsCritical: true },
      ...(input.mdocDocumentSigner
        ? { extendedKeyUsage: { usages: [X509ExtendedKeyUsage.MdlDs], markAsCritical: true } }
        : {}),
      subjectAlternativeName: {
        name: [
          ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
          ...uris.map((value) => ({ type: 'url' as const, value })),
        ],
      },
    },
  })
  return request.toString('pem')
}
