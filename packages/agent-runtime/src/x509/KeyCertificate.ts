import { type CertificateSummary, checkSigningChain, parseCertificateChain } from '@attesto/protocol-kit'
import { type AgentContext, Kms } from '@credo-ts/core'
import { z } from 'zod'

/**
 * The X.509 certificate chain of a signing key (an issuer's or a verifier's), from the tenant's
 * CA: with one, what the key signs carries `x5c` instead of a DID `kid`. The summary is the
 * leaf's, except `notAfter`: the earliest end of validity in the chain.
 */
export interface KeyCertificate extends CertificateSummary {
  /** Leaf and intermediates, base64 DER, never the trust anchor. */
  x5c: string[]
  uploadedAt: string
}

/** The body of `PUT …/certificate`. */
export const certificateChainInput = z.strictObject({
  chain: z.union([z.string().min(1).max(65_536), z.array(z.string().min(1).max(16_384)).min(1).max(10)]).meta({
    description:
      'The chain the CA returned, leaf first: one PEM bundle, or a list of PEM or base64 DER certificates. A root at the end is checked and left out of x5c',
  }),
})

/**
 * The uploaded `chain` as the certificate of the key `keyId`, once checked: it certifies this key,
 * links, is in validity and may sign, and its leaf is not self-signed; a root at its end is left
 * out. Throws protocol-kit's `CertificateChainError` (400 with its code in the REST error handler).
 */
export async function certifyKey(
  tenantContext: AgentContext,
  keyId: string,
  chain: string | readonly string[],
): Promise<KeyCertificate> {
  const publicJwk = await tenantContext.dependencyManager.resolve(Kms.KeyManagementApi).getPublicKey({ keyId })
  const checked = await checkSigningChain(parseCertificateChain(chain), { publicJwk })
  return { ...checked.leaf, notAfter: checked.expiresAt, x5c: checked.x5c, uploadedAt: new Date().toISOString() }
}

/** What the API shows of a key's certificate (its chain is in what the key signs). */
export const certificateView = ({ x5c, ...certificate }: KeyCertificate) => ({
  ...certificate,
  chainLength: x5c.length,
})
