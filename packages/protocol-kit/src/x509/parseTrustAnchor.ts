import { CertificateChainError } from './CertificateChainError.js'
import { type CertificateSummary, certificateSummary } from './certificateSummary.js'
import { isCertificateAuthority } from './isCertificateAuthority.js'
import { parseCertificateChain, toX5cEntry } from './parseCertificateChain.js'

export interface ParsedTrustAnchor {
  /** The certificate, base64 DER. */
  certificate: string
  summary: CertificateSummary
}

/**
 * One CA certificate to trust (a root, an intermediate, an IACA), as PEM or base64 DER: it must
 * be a CA (`basicConstraints cA`, `keyCertSign` when it has a key usage) and in validity at `at`. Throws a {@link CertificateChainError}.
 */
export async function parseTrustAnchor(text: string, at = new Date()): Promise<ParsedTrustAnchor> {
  const certificates = parseCertificateChain(text.includes('-----BEGIN') ? text : [text])
  const [certificate] = certificates
  if (!certificate || certificates.length > 1) {
    throw new CertificateChainError('certificate_unreadable', 'Give exactly one CA certificate per trust anchor')
  }
  // The same test a chain's anchor must pass (checkSigningChain): an anchor that fails it could never be matched.
  if (!isCertificateAuthority(certificate)) {
    throw new CertificateChainError(
      'certificate_key_usage',
      'A trust anchor must be a CA certificate (basicConstraints cA, and keyCertSign when it has a key usage)',
    )
  }
  const summary = await certificateSummary(certificate)
  if (certificate.notAfter < at) {
    throw new CertificateChainError('certificate_expired', `The certificate expired on ${summary.notAfter}`)
  }
  if (certificate.notBefore > at) {
    throw new CertificateChainError('certificate_not_yet_valid', `The certificate is valid from ${summary.notBefore}`)
  }
  return { certificate: toX5cEntry(certificate), summary }
}
