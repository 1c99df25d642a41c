import { type KeyObject, X509Certificate } from 'node:crypto'
import { check } from './ProtocolNotes.js'

/** Chains checked so far, by their x5c: a wallet checks an issuer's chain once. */
const checked = new Map<string, KeyObject>()

/**
 * The end-entity key of an `x5c` header (base64 DER, leaf first), after checking that each
 * certificate is issued and signed by the next and the last by `anchorPem` (the CA the wallet
 * trusts), all within their validity.
 */
export function x5cPublicKey(step: string, x5c: unknown, anchorPem: string | undefined): KeyObject {
  check(Array.isArray(x5c) && x5c.length > 0, step, 'x5c is not a non-empty array')
  check(anchorPem !== undefined, step, 'the credential has x5c but the wallet trusts no CA')
  const cacheKey = `${anchorPem}|${x5c.join('.')}`
  const known = checked.get(cacheKey)
  if (known) return known
  const chain = [
    ...x5c.map((entry) => new X509Certificate(Buffer.from(String(entry), 'base64'))),
    new X509Certificate(anchorPem),
  ]
  const now = Date.now()
  for (const [index, certificate] of chain.entries()) {
    const signer = chain[index + 1] ?? certificate
    check(
      certificate.checkIssued(signer) && certificate.verify(signer.publicKey),
      step,
      `x5c[${index}] is not signed by the next certificate`,
    )
    check(
      Date.parse(certificate.validFrom) <= now && now <= Date.parse(certificate.validTo),
      step,
      `x5c[${index}] is not valid now`,
    )
  }
  const key = (chain[0] as X509Certificate).publicKey
  checked.set(cacheKey, key)
  return key
}
