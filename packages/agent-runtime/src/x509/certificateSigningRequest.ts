import { type AgentContext, Kms, type X509ExtendedKeyUsage, X509KeyUsage, X509Service } from '@credo-ts/core'
import { z } from 'zod'

const dnsName = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i, 'a DNS name')
const printable = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^,=+<>#;\\"]+$/, 'no , = + < > # ; \\ or "')

/** What the default subject alternative names of a role's signing request are, for its API document. */
export interface SubjectAlternativeNameDefaults {
  dnsNames: string
  uris: string
}

/**
 * The body of `POST …/certificate-signing-request` (issuers and verifiers alike): the subject,
 * and SAN DNS names and URIs that replace the role's defaults (described by `defaults`). A role
 * adds its own fields with `.extend` (and turns them into extensions, see `certificateRoutes`).
 */
export function certificateSigningRequestInput(defaults: SubjectAlternativeNameDefaults) {
  return z.strictObject({
    commonName: printable.meta({ description: 'The subject CN, usually the organisation or service name' }),
    organization: printable.optional(),
    organizationalUnit: printable.optional(),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'an ISO 3166 two-letter code')
      .optional(),
    dnsNames: z.array(dnsName).max(10).optional().meta({ description: defaults.dnsNames }),
    uris: z.array(z.url()).max(10).optional().meta({ description: defaults.uris }),
  })
}
export type CertificateSigningRequestInput = z.infer<ReturnType<typeof certificateSigningRequestInput>>

/** Whether a URL's host is an IP address (which a SAN DNS name cannot be). */
export const isIpAddressHost = (host: string): boolean => /^[\d.]+$|:/.test(host)

/**
 * A PKCS#10 certificate signing request for the key `keyId`, signed in the tenant's KMS (the
 * private key never leaves it), asking for key usage `digitalSignature`. The subject alternative
 * names default to `identifierUrl` as a URI and its host as a DNS name (unless it is an IP
 * address), so that the certificate names the identity: the credential issuer for an issuer, the
 * OID4VP endpoints for a verifier. `extendedKeyUsages`, when given, are asked for as a critical
 * extended key usage (the CA decides what the certificate finally carries).
 */
export async function createCertificateSigningRequest(
  tenantContext: AgentContext,
  keyId: string,
  identifierUrl: string,
  input: CertificateSigningRequestInput,
  extendedKeyUsages: X509ExtendedKeyUsage[] = [],
): Promise<string> {
  const kms = tenantContext.dependencyManager.resolve(Kms.KeyManagementApi)
  const publicJwk = await kms.getPublicKey({ keyId })
  if (publicJwk.kty === 'oct') throw new Error('A signing key is asymmetric')
  const subjectPublicKey = Kms.PublicJwk.fromPublicJwk(publicJwk)
  subjectPublicKey.keyId = keyId
  const host = new URL(identifierUrl).hostname
  const dnsNames = input.dnsNames ?? (isIpAddressHost(host) ? [] : [host])
  const uris = input.uris ?? [identifierUrl]
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
      ...(extendedKeyUsages.length > 0
        ? { extendedKeyUsage: { usages: extendedKeyUsages, markAsCritical: true } }
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
