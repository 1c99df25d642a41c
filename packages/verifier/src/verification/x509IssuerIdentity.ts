import { createPublicKey, type KeyObject } from 'node:crypto'
import {
  authorityKeyIdentifier,
  CertificateChainError,
  certificateSha256,
  checkSigningChain,
  findTrustAnchor,
  MAX_CHAIN_LENGTH,
  parseCertificateChain,
  type X509Certificate,
} from '@attesto/protocol-kit'
import { LRUCache } from 'lru-cache'
import { PresentationRefusal } from './rejectionReason.js'
import type { TrustAnchor } from './verifierDocuments.js'

/** The issuer of a credential signed under an X.509 chain (`x5c`), as the verifier found it. */
export interface X509IssuerIdentity {
  /** The key of the end-entity certificate: it must verify the credential. */
  key: KeyObject
  /** The end-entity certificate's subject: the issuer (SD-JWT VC draft -13 §3.5). */
  subject: string
  sha256: string
  notAfter: string
  /** The tenant's anchor the chain leads to; absent when it leads to none of them. */
  anchor?: { anchorId: string; subject: string }
  /**
   * The Authority Key Identifiers (key identifier, base64url) of the certificates in `x5c`: what a
   * DCQL `trusted_authorities` entry of type `aki` is matched against (OID4VP 1.0 §6.1.1).
   */
  authorityKeyIds: string[]
}

/** Chains checked lately, by the x5c and the anchors' digests: a chain costs a few signature checks once. */
const checked = new LRUCache<string, Omit<X509IssuerIdentity, 'anchor'> & { anchorSha256?: string }>({
  max: 1_000,
  ttl: 60_000,
})

/**
 * Validates a credential's `x5c` (leaf and intermediates, base64 DER): the chain links, is in
 * validity now, the leaf may sign and is not self-signed; then looks for the tenant's anchor it
 * leads to. Throws a {@link PresentationRefusal} (`invalid_certificate`) for a chain that is not
 * valid in itself; a valid chain to no trusted anchor is for the trust policy to reject.
 */
export async function x509IssuerIdentity(
  x5c: unknown,
  anchors: readonly TrustAnchor[],
  at: Date,
): Promise<X509IssuerIdentity> {
  if (
    !Array.isArray(x5c) ||
    x5c.length === 0 ||
    x5c.length > MAX_CHAIN_LENGTH ||
    x5c.some((entry) => typeof entry !== 'string')
  ) {
    throw new PresentationRefusal('invalid_certificate', 'x5c must be a list of base64 DER certificates')
  }
  const cacheKey = `${x5c.join('.')}|${anchors.map((anchor) => anchor.sha256).join('.')}`
  const known = checked.get(cacheKey)
  if (known && Date.parse(known.notAfter) > at.getTime()) return withAnchor(known, anchors)
  try {
    const chain = parseCertificateChain(x5c as string[])
    const [leafCertificate] = chain as [X509Certificate, ...X509Certificate[]]
    const { leaf, expiresAt } = await checkSigningChain(chain, { at })
    // The chain is valid in itself; whether it leads to one of the tenant's anchors is looked up
    // on its own (no second pass over the chain's signatures).
    const anchor = await findTrustAnchor(
      chain[chain.length - 1] as X509Certificate,
      anchors.flatMap((candidate) => parseCertificateChain([candidate.certificate])),
      at,
    )
    const identity = {
      key: createPublicKey({ key: Buffer.from(leafCertificate.publicKey.rawData), format: 'der', type: 'spki' }),
      subject: leaf.subject,
      sha256: leaf.sha256,
      notAfter: expiresAt,
      anchorSha256: anchor ? await certificateSha256(anchor) : undefined,
      authorityKeyIds: chain.map(authorityKeyIdentifier).filter((id): id is string => id !== undefined),
    }
    checked.set(cacheKey, identity)
    return withAnchor(identity, anchors)
  } catch (error) {
    if (error instanceof CertificateChainError) {
      throw new PresentationRefusal('invalid_certificate', `The issuer's certificate chain: ${error.message}`, false, {
        cause: error,
      })
    }
    throw error
  }
}

function withAnchor(
  identity: Omit<X509IssuerIdentity, 'anchor'> & { anchorSha256?: string },
  anchors: readonly TrustAnchor[],
): X509IssuerIdentity {
  const { anchorSha256, ...rest } = identity
  const anchor = anchorSha256 ? anchors.find((candidate) => candidate.sha256 === anchorSha256) : undefined
  return anchor ? { ...rest, anchor: { anchorId: anchor.anchorId, subject: anchor.subject } } : rest
}
