import { SubjectAlternativeNameExtension, type X509Certificate } from '@peculiar/x509'
import { bytesToBase64Url } from '../encoding.js'

/** What an operator reads about a certificate (management API answers, logs). */
export interface CertificateSummary {
  subject: string
  issuer: string
  serialNumber: string
  notBefore: string
  notAfter: string
  /** SHA-256 of the DER certificate, base64url: the value an `x509_hash` client identifier carries for a leaf. */
  sha256: string
  dnsNames: string[]
  uris: string[]
}

export async function certificateSummary(certificate: X509Certificate): Promise<CertificateSummary> {
  const names = certificate.getExtension(SubjectAlternativeNameExtension)?.names.items ?? []
  return {
    subject: certificate.subject,
    issuer: certificate.issuer,
    serialNumber: certificate.serialNumber,
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
    sha256: await certificateSha256(certificate),
    dnsNames: names.filter((name) => name.type === 'dns').map((name) => name.value),
    uris: names.filter((name) => name.type === 'url').map((name) => name.value),
  }
}

/** SHA-256 of the DER certificate, base64url (OID4VP 1.0 §5.9.3 `x509_hash`). */
export async function certificateSha256(certificate: X509Certificate): Promise<string> {
  return bytesToBase64Url(await crypto.subtle.digest('SHA-256', certificate.rawData))
}
