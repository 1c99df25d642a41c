import { KeyObject } from 'node:crypto'
import {
  type DevelopmentCa,
  type IssueCertificateOptions,
  parseCertificateChain,
  toX5cEntry,
} from '@attesto/protocol-kit'
import { Pkcs10CertificateRequestGenerator } from '@peculiar/x509'
import type { CertifiedIssuer } from './HandBuiltWallet.js'

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
export const CERTIFIED_ISSUER_SUBJECT = 'CN=Example University, O=Example University, C=NL'

/**
 * A key made with WebCrypto and its certificate from `ca` (the request made with
 * @peculiar/x509): the x5c carries leaf and issuing CA, not the root.
 */
export async function certifiedIssuer(
  ca: DevelopmentCa,
  options: IssueCertificateOptions = {},
): Promise<CertifiedIssuer> {
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: CERTIFIED_ISSUER_SUBJECT,
    keys,
    signingAlgorithm: ALGORITHM,
  })
  const chain = parseCertificateChain(await ca.issue(csr.toString('pem'), options))
  return { privateKey: KeyObject.from(keys.privateKey), x5c: chain.slice(0, 2).map(toX5cEntry) }
}
