import { createHash, X509Certificate as NodeCertificate } from 'node:crypto'
import { describe, expect, it } from '@jest/globals'
import { Pkcs10CertificateRequestGenerator } from '@peculiar/x509'
import { DevelopmentCa } from '../DevelopmentCa.js'
import { authorityKeyIdentifier, subjectKeyIdentifier } from '../keyIdentifiers.js'
import { parseCertificateChain } from '../parseCertificateChain.js'

// Key identifiers of a development CA's chain, checked against RFC 5280 §4.2.1.2 method 1
// computed here with node:crypto: the SHA-1 of the subject public key's bits.

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }

/** RFC 5280 §4.2.1.2 (1): SHA-1 of the BIT STRING subjectPublicKey (a P-256 point is its last 65 bytes). */
function rfc5280KeyId(pem: string): string {
  const spki = new NodeCertificate(pem).publicKey.export({ format: 'der', type: 'spki' })
  return createHash('sha1')
    .update(spki.subarray(spki.length - 65))
    .digest('base64url')
}

describe('key identifiers', () => {
  it("read a chain's authority and subject key identifiers as base64url", async () => {
    const ca = await DevelopmentCa.create()
    const keys = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])
    const csr = await Pkcs10CertificateRequestGenerator.create({ name: 'CN=Issuer', keys, signingAlgorithm: ALGORITHM })
    const [leaf, intermediate, root] = parseCertificateChain(await ca.issue(csr.toString('pem')))
    if (!leaf || !intermediate || !root) throw new Error('a chain of three')

    const intermediateId = rfc5280KeyId(intermediate.toString('pem'))
    const rootId = rfc5280KeyId(root.toString('pem'))
    expect(intermediateId).toMatch(/^[A-Za-z0-9_-]{27}$/)
    expect(authorityKeyIdentifier(leaf)).toBe(intermediateId)
    expect(subjectKeyIdentifier(intermediate)).toBe(intermediateId)
    expect(authorityKeyIdentifier(intermediate)).toBe(rootId)
    expect(subjectKeyIdentifier(root)).toBe(rootId)
    // A self-signed root made without an Authority Key Identifier has none.
    expect(authorityKeyIdentifier(root)).toBeUndefined()
  })
})
