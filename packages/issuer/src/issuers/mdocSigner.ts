import { DomainError } from '@attesto/protocol-kit'
import { publicKeyFromSelfDescribingDid } from '@attesto/protocol-kit/jose'
import type { IssuerProfile } from './issuerProfiles.js'

/** The country (C) of a distinguished name as @peculiar/x509 writes it (`CN=…, O=…, C=NL`). */
const countryOf = (name: string) => /(?:^|,\s*)C=([A-Za-z]{2})(?:,|$)/.exec(name)?.[1]

/**
 * Why this issuer cannot sign mdocs, or undefined when it can. An mdoc's Mobile Security Object
 * is signed with ES256 (COSE alg -7) by the issuer's P-256 key, and carries the issuer's
 * document-signer certificate chain in `x5chain` (ISO/IEC 18013-5 §9.1.2.4): so the key must be
 * P-256, the certificate uploaded, and the CA that issued it must name its country (C), which
 * ISO/IEC 18013-5 Annex B requires and mdoc verifiers check.
 */
export function mdocSignerProblem(profile: IssuerProfile): DomainError | undefined {
  const key = publicKeyFromSelfDescribingDid(profile.didUrl)
  if (key?.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    return new DomainError(
      'issuer_key_unsupported',
      'An mso_mdoc configuration needs an issuer with a P-256 key (the MSO is signed with ES256): create an issuer with keyType P-256',
    )
  }
  const { certificate } = profile
  if (!certificate) {
    return new DomainError(
      'certificate_required',
      `An mso_mdoc configuration needs the issuer's document-signer certificate: ask for a signing request (POST /issuers/${profile.issuerId}/certificate-signing-request with mdocDocumentSigner true), have the tenant's IACA sign it, upload the chain (PUT /issuers/${profile.issuerId}/certificate), then define the configuration (docs/MDOC.md)`,
    )
  }
  if (!countryOf(certificate.issuer)) {
    return new DomainError(
      'certificate_country_missing',
      `The CA that issued the issuer's certificate (${certificate.issuer}) names no country (C): ISO/IEC 18013-5 requires it for a document signer and mdoc verifiers refuse mdocs without it`,
    )
  }
  return undefined
}

/** The ids of the issuer's mso_mdoc configurations (they need its certificate). */
export function mdocConfigurationIds(profile: IssuerProfile): string[] {
  return Object.values(profile.configurations)
    .filter((configuration) => configuration.format === 'mso_mdoc')
    .map((configuration) => configuration.id)
}
