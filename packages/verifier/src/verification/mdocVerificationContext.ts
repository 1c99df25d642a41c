import { createHash, createPublicKey, type JsonWebKey, randomBytes, verify } from 'node:crypto'
import type { MdocContext } from '@animo-id/mdoc'
import { parseCertificateChain } from '@attesto/protocol-kit'

/** COSE signature algorithms verified: ES256 alone (HAIP 1.0 §7; what requests advertise, -7). */
const ALGORITHMS: Record<string, string> = { ES256: 'sha256' }

const notUsed = (what: string) => () => {
  throw new Error(`${what} is not used when verifying an mdoc presentation`)
}

/** Whether a COSE_Sign1 (issuer or device signature) verifies with `jwk`, ES256 only. */
export function verifiesSign1(
  sign1: { getRawVerificationData(): { alg: string; signature: Uint8Array; data: Uint8Array } },
  jwk: JsonWebKey,
): boolean {
  const { alg, signature, data } = sign1.getRawVerificationData()
  const hash = ALGORITHMS[alg]
  if (!hash) return false
  const key = createPublicKey({ key: jwk, format: 'jwk' })
  return verify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature)
}

/** A name field (`C`, `ST`) of a DER certificate's issuer, as the library's issuing_country check reads it. */
function issuerNameField({ certificate, field }: { certificate: Uint8Array; field: string }): string[] {
  const [parsed] = parseCertificateChain([Buffer.from(certificate).toString('base64')])
  return parsed ? parsed.issuerName.getField(field) : []
}

/**
 * The mdoc library's context for checking a presentation: digests from node:crypto, COSE_Sign1
 * verification (ES256, raw r‖s), and the DS certificate's issuer name for `issuing_country`.
 * Certificate chains are not the library's to check: the verifier validates `x5chain` with
 * `@attesto/protocol-kit` up to the tenant's anchors. Device MAC is not supported (OpenID4VP
 * has no reader key to derive it from), so its key derivation is not wired.
 */
export const mdocVerificationContext: MdocContext = {
  crypto: {
    // 'SHA-256' → 'sha256', and so on: the MSO's digest algorithm as node:crypto names it.
    digest: (input) => createHash(input.digestAlgorithm.replace('-', '').toLowerCase()).update(input.bytes).digest(),
    random: randomBytes,
    calculateEphemeralMacKeyJwk: notUsed('Device MAC authentication'),
  },
  cose: {
    sign1: {
      sign: notUsed('COSE_Sign1 signing'),
      verify: ({ sign1, jwk }) => verifiesSign1(sign1, jwk as JsonWebKey),
    },
    mac0: { sign: notUsed('COSE_Mac0'), verify: notUsed('COSE_Mac0') },
  },
  x509: {
    getIssuerNameField: issuerNameField,
    getPublicKey: notUsed('The library’s certificate handling'),
    getCertificateData: notUsed('The library’s certificate handling'),
    validateCertificateChain: notUsed('The library’s chain validation'),
  },
}
