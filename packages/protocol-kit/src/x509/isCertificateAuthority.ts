import { BasicConstraintsExtension, KeyUsageFlags, KeyUsagesExtension, type X509Certificate } from '@peculiar/x509'

/** Whether a certificate may issue certificates: basicConstraints cA, and keyCertSign when key usage is given. */
export function isCertificateAuthority(certificate: X509Certificate): boolean {
  const usage = certificate.getExtension(KeyUsagesExtension)
  return (
    certificate.getExtension(BasicConstraintsExtension)?.ca === true &&
    (!usage || (usage.usages & KeyUsageFlags.keyCertSign) !== 0)
  )
}
