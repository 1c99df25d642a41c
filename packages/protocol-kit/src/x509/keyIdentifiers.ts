import { AuthorityKeyIdentifierExtension, SubjectKeyIdentifierExtension, type X509Certificate } from '@peculiar/x509'
import { bytesToBase64Url } from '../encoding.js'

const hexToBase64Url = (hex: string): string =>
  bytesToBase64Url(Uint8Array.from(hex.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16)))

/**
 * The `keyIdentifier` of a certificate's Authority Key Identifier extension (RFC 5280 §4.2.1.1),
 * base64url: the value an OID4VP 1.0 `trusted_authorities` entry of type `aki` (§6.1.1) names.
 * Undefined when the certificate has no such extension, or one that names its authority only by
 * issuer and serial number.
 */
export function authorityKeyIdentifier(certificate: X509Certificate): string | undefined {
  const keyId = certificate.getExtension(AuthorityKeyIdentifierExtension)?.keyId
  return keyId ? hexToBase64Url(keyId) : undefined
}

/**
 * The certificate's own Subject Key Identifier (RFC 5280 §4.2.1.2), base64url: for a CA, the
 * `aki` value of the certificates it issues.
 */
export function subjectKeyIdentifier(certificate: X509Certificate): string | undefined {
  const keyId = certificate.getExtension(SubjectKeyIdentifierExtension)?.keyId
  return keyId ? hexToBase64Url(keyId) : undefined
}
