import type { webcrypto } from 'node:crypto'
import { KeyUsageFlags, KeyUsagesExtension, type X509Certificate } from '@peculiar/x509'
import { CertificateChainError } from './CertificateChainError.js'
import { type CertificateSummary, certificateSummary } from './certificateSummary.js'
import { isCertificateAuthority } from './isCertificateAuthority.js'
import { toX5cEntry } from './parseCertificateChain.js'

export interface CheckSigningChainOptions {
  /** The public key that signs (a JWK of the KMS key): the leaf must certify exactly this key. */
  publicJwk?: webcrypto.JsonWebKey
  /** When the chain must be valid (default now). */
  at?: Date
  /**
   * Certificates trusted as anchors (roots or intermediates). Without any, the chain is checked
   * for itself only: it links, it is in validity, the key usage fits.
   */
  trustAnchors?: readonly X509Certificate[]
}

export interface CheckedSigningChain {
  /** The `x5c` of what this key signs: leaf and intermediates, base64 DER, never a self-signed root. */
  x5c: string[]
  leaf: CertificateSummary
  /** The self-signed root the given chain ended with (dropped from `x5c`, as HAIP 1.0 requires). */
  root?: CertificateSummary
  /** The trust anchor the chain led to, when anchors were given. */
  anchor?: CertificateSummary
  /** The earliest `notAfter` in the chain: when it stops being usable. */
  expiresAt: string
}

/**
 * Checks a credential signing chain, leaf first: the leaf certifies `publicJwk`, is not
 * self-signed and may sign (key usage `digitalSignature`); each certificate is signed by the
 * next, which is a CA allowed to sign certificates; all are valid at `at`; and, given anchors,
 * the chain ends at one. Throws a {@link CertificateChainError} naming the first problem.
 */
export async function checkSigningChain(
  chain: readonly X509Certificate[],
  options: CheckSigningChainOptions = {},
): Promise<CheckedSigningChain> {
  const at = options.at ?? new Date()
  const [leaf] = chain
  if (!leaf) throw new CertificateChainError('certificate_unreadable', 'No certificate was given')
  if (options.publicJwk && !(await certifiesKey(leaf, options.publicJwk))) {
    throw new CertificateChainError(
      'certificate_key_mismatch',
      'The first certificate does not certify the key it is given for: upload the chain of the certificate the CA issued for its signing request, leaf first',
    )
  }
  if (await leaf.isSelfSigned()) {
    throw new CertificateChainError(
      'certificate_self_signed',
      'The signing certificate is self-signed: a CA must issue it',
    )
  }
  const usage = leaf.getExtension(KeyUsagesExtension)
  if (usage && !(usage.usages & KeyUsageFlags.digitalSignature)) {
    throw new CertificateChainError('certificate_key_usage', 'The signing certificate does not allow digitalSignature')
  }
  for (const [index, certificate] of chain.entries()) {
    checkValidity(certificate, index, at)
    const issuer = chain[index + 1]
    if (issuer) await checkIssuedBy(certificate, issuer, index)
  }
  const last = chain[chain.length - 1] as X509Certificate
  const endsAtRoot = chain.length > 1 && (await last.isSelfSigned())
  const anchor = options.trustAnchors?.length ? await findTrustAnchor(last, options.trustAnchors, at) : undefined
  if (options.trustAnchors?.length && !anchor) {
    throw new CertificateChainError('certificate_untrusted', `The chain (${last.subject}) leads to no trusted anchor`)
  }
  const kept = endsAtRoot ? chain.slice(0, -1) : chain
  return {
    x5c: kept.map(toX5cEntry),
    leaf: await certificateSummary(leaf),
    root: endsAtRoot ? await certificateSummary(last) : undefined,
    anchor: anchor ? await certificateSummary(anchor) : undefined,
    expiresAt: new Date(Math.min(...chain.map((certificate) => certificate.notAfter.getTime()))).toISOString(),
  }
}

function checkValidity(certificate: X509Certificate, index: number, at: Date) {
  const which = index === 0 ? 'The signing certificate' : `Certificate ${index + 1} of the chain`
  if (certificate.notBefore > at) {
    throw new CertificateChainError(
      'certificate_not_yet_valid',
      `${which} is valid from ${certificate.notBefore.toISOString()}`,
    )
  }
  if (certificate.notAfter < at) {
    throw new CertificateChainError('certificate_expired', `${which} expired on ${certificate.notAfter.toISOString()}`)
  }
}

async function checkIssuedBy(certificate: X509Certificate, issuer: X509Certificate, index: number) {
  const linked = certificate.issuer === issuer.subject && (await verifiesWith(certificate, issuer))
  if (!linked) {
    throw new CertificateChainError(
      'certificate_chain_broken',
      `Certificate ${index + 1} (${certificate.subject}) is not signed by certificate ${index + 2} (${issuer.subject}): give the chain leaf first`,
    )
  }
  if (!isCertificateAuthority(issuer)) {
    throw new CertificateChainError('certificate_key_usage', `Certificate ${index + 2} (${issuer.subject}) is not a CA`)
  }
}

async function verifiesWith(certificate: X509Certificate, issuer: X509Certificate): Promise<boolean> {
  return certificate.verify({ publicKey: issuer.publicKey, signatureOnly: true }).catch(() => false)
}

/**
 * The anchor among `anchors` that the chain's last certificate is, or is issued by (a CA valid at
 * `at`); undefined when there is none. {@link checkSigningChain} with `trustAnchors` refuses such
 * a chain; a caller that already checked the chain asks this alone.
 */
export async function findTrustAnchor(
  last: X509Certificate,
  anchors: readonly X509Certificate[],
  at = new Date(),
): Promise<X509Certificate | undefined> {
  for (const anchor of anchors) {
    if (anchor.notBefore > at || anchor.notAfter < at) continue
    if (sameCertificate(anchor, last)) return anchor
    if (last.issuer === anchor.subject && isCertificateAuthority(anchor) && (await verifiesWith(last, anchor)))
      return anchor
  }
  return undefined
}

function sameCertificate(a: X509Certificate, b: X509Certificate): boolean {
  const left = new Uint8Array(a.rawData)
  const right = new Uint8Array(b.rawData)
  return left.length === right.length && left.every((byte, index) => byte === right[index])
}

/** Whether the certificate's subject public key is this JWK's key (compared as SPKI bytes). */
async function certifiesKey(certificate: X509Certificate, jwk: webcrypto.JsonWebKey): Promise<boolean> {
  const algorithm =
    jwk.kty === 'EC'
      ? { name: 'ECDSA', namedCurve: jwk.crv as string }
      : jwk.kty === 'OKP'
        ? { name: jwk.crv as string }
        : undefined
  if (!algorithm) return false
  const { d: _private, ...publicOnly } = jwk
  try {
    const key = await crypto.subtle.importKey('jwk', publicOnly, algorithm, true, ['verify'])
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', key))
    const certified = new Uint8Array(certificate.publicKey.rawData)
    return spki.length === certified.length && spki.every((byte, index) => byte === certified[index])
  } catch {
    return false
  }
}
