import { type DevelopmentCa, parseCertificateChain, toX5cEntry } from '@attesto/protocol-kit'
import { Pkcs10CertificateRequestGenerator } from '@peculiar/x509'

/**
 * A P-256 key pair and a certificate for it from `ca` (subject `CN=<commonName>`): its `x5c` as a
 * signer presents it (leaf and issuing CA, base64 DER, without the root).
 */
export async function certifiedKey(ca: DevelopmentCa, commonName: string) {
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: `CN=${commonName}`,
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  })
  const chain = parseCertificateChain(await ca.issue(csr.toString('pem')))
  return { keys, x5c: chain.slice(0, -1).map(toX5cEntry), leaf: chain[0] as (typeof chain)[number] }
}
