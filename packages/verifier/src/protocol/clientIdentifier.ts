import { isIpAddressHost } from '@attesto/agent-runtime'
import { DomainError } from '@attesto/protocol-kit'
import type { VerifierProfile } from '../verification/verifierDocuments.js'

/** The OID4VP 1.0 §5.9.3 client identifier prefixes a verifier identifies itself with. */
export const CLIENT_ID_PREFIXES = ['x509_hash', 'x509_san_dns', 'decentralized_identifier'] as const
export type ClientIdPrefix = (typeof CLIENT_ID_PREFIXES)[number]

/** How a request object is signed for its client identifier: the JOSE header's key reference. */
export type RequestSignerHeader = { kid: string } | { x5c: string[] }

/**
 * The client identifier of a new request (OID4VP 1.0 §5.9): `prefix` as asked, by default
 * `x509_hash` for a verifier with a certificate and `decentralized_identifier` otherwise.
 * - `x509_hash:<base64url SHA-256 of the leaf DER>`;
 * - `x509_san_dns:<host>`: the host of the response URI (`responseHost`, from PUBLIC_BASE_URL),
 *   which must be a SAN DNS name of the leaf: §5.9.3 has a wallet that does not otherwise trust
 *   the client identifier require the response URI's host to be it, so no other name would do;
 * - `decentralized_identifier:<did>`.
 * A request the certificate cannot back is refused (400) before anything is stored.
 */
export function clientIdFor(profile: VerifierProfile, responseHost: string, prefix?: ClientIdPrefix): string {
  const chosen = prefix ?? (profile.certificate ? 'x509_hash' : 'decentralized_identifier')
  if (chosen === 'decentralized_identifier') return `decentralized_identifier:${profile.did}`
  const { certificate } = profile
  if (!certificate) {
    throw new DomainError(
      'verifier_certificate_missing',
      `Client identifier prefix '${chosen}' needs the verifier's certificate: upload it with PUT /verifiers/${profile.verifierId}/certificate`,
    )
  }
  if (chosen === 'x509_hash') return `x509_hash:${certificate.sha256}`
  if (isIpAddressHost(responseHost)) {
    throw new DomainError(
      'client_id_not_in_certificate',
      `x509_san_dns names the response URI's host, and '${responseHost}' (from PUBLIC_BASE_URL) is an IP address, not a DNS name`,
    )
  }
  if (!certificate.dnsNames.includes(responseHost)) {
    throw new DomainError(
      'client_id_not_in_certificate',
      `x509_san_dns:${responseHost} needs '${responseHost}' (the response URI's host, from PUBLIC_BASE_URL) among the SAN DNS names of the verifier's certificate, which are ${JSON.stringify(certificate.dnsNames)}`,
    )
  }
  return `x509_san_dns:${responseHost}`
}

/**
 * The header that signs a request object for `clientId`: the DID's key reference, or the
 * certificate chain (`x5c`, leaf and intermediates) when the client identifier is the profile's
 * certificate (its leaf hash, or one of its SAN DNS names). Undefined when the profile's
 * certificate no longer backs it (replaced or removed since the request was made, or this
 * instance's profile is older than the certificate).
 */
export function requestSignerHeader(profile: VerifierProfile, clientId: string): RequestSignerHeader | undefined {
  const separator = clientId.indexOf(':')
  const prefix = clientId.slice(0, separator)
  const identifier = clientId.slice(separator + 1)
  if (prefix === 'decentralized_identifier') return identifier === profile.did ? { kid: profile.didUrl } : undefined
  const { certificate } = profile
  if (!certificate) return undefined
  const backed =
    (prefix === 'x509_hash' && identifier === certificate.sha256) ||
    (prefix === 'x509_san_dns' && certificate.dnsNames.includes(identifier))
  return backed ? { x5c: certificate.x5c } : undefined
}
