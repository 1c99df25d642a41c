import type { webcrypto } from 'node:crypto'
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Pkcs10CertificateRequest,
  SubjectKeyIdentifierExtension,
  type X509Certificate,
  X509CertificateGenerator,
} from '@peculiar/x509'
import { bytesToBase64 } from '../encoding.js'
import { CertificateChainError } from './CertificateChainError.js'

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const
const DAY_MILLIS = 24 * 60 * 60 * 1000
const SUBJECT_ALT_NAME = '2.5.29.17'
const EXTENDED_KEY_USAGE = '2.5.29.37'

export interface DevelopmentCaOptions {
  /** Common name of the root; the intermediate is named after it (default "Attesto Development"). */
  name?: string
  /**
   * The CA's country (ISO 3166 two letters) in the root's and the intermediate's names: an mdoc
   * document signer's issuing CA must name one (ISO/IEC 18013-5 Annex B), and mdoc verifiers check it.
   */
  country?: string
  /** When the CA's certificates start being valid (default now). */
  notBefore?: Date
}

export interface IssueCertificateOptions {
  validityDays?: number
  notBefore?: Date
}

const randomSerial = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) => byte.toString(16).padStart(2, '0'))
    .join('')
    .replace(/^0+/, '1')

/**
 * A development certificate authority (root and intermediate, keys in memory): it signs the
 * certificate signing requests of issuers and verifiers in tests, demos and local set-ups.
 * Nothing in the services uses it unless told to; production certificates come from the
 * tenant's own CA.
 */
export class DevelopmentCa {
  private constructor(
    public readonly root: X509Certificate,
    public readonly intermediate: X509Certificate,
    private readonly intermediateKey: webcrypto.CryptoKey,
  ) {}

  public static async create(options: DevelopmentCaOptions = {}): Promise<DevelopmentCa> {
    const name = options.name ?? 'Attesto Development'
    const country = options.country ? `, C=${options.country}` : ''
    const notBefore = options.notBefore ?? new Date()
    const notAfter = new Date(notBefore.getTime() + 3650 * DAY_MILLIS)
    const rootKeys = await crypto.subtle.generateKey(ALGORITHM, false, ['sign', 'verify'])
    const root = await X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial(),
      name: `CN=${name} Root CA${country}`,
      notBefore,
      notAfter,
      signingAlgorithm: ALGORITHM,
      keys: rootKeys,
      extensions: [
        new BasicConstraintsExtension(true, 1, true),
        new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
        await SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
      ],
    })
    const intermediateKeys = await crypto.subtle.generateKey(ALGORITHM, false, ['sign', 'verify'])
    const intermediate = await X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: `CN=${name} Issuing CA${country}`,
      issuer: root.subject,
      notBefore,
      notAfter,
      signingAlgorithm: ALGORITHM,
      publicKey: intermediateKeys.publicKey,
      signingKey: rootKeys.privateKey,
      extensions: [
        new BasicConstraintsExtension(true, 0, true),
        new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
        await SubjectKeyIdentifierExtension.create(intermediateKeys.publicKey),
        await AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
      ],
    })
    return new DevelopmentCa(root, intermediate, intermediateKeys.privateKey)
  }

  /**
   * Signs a PKCS#10 request (PEM or base64 DER) whose signature verifies: a leaf for signing
   * (`digitalSignature`, not a CA) with the request's subject, subject alternative names and
   * extended key usage (such as an mdoc document signer's).
   * Returns the chain leaf first, root last, as PEM, as a CA would.
   */
  public async issue(request: string, options: IssueCertificateOptions = {}): Promise<string> {
    const csr = parseRequest(request)
    if (!(await csr.verify())) {
      throw new CertificateChainError(
        'certificate_unreadable',
        'The certificate signing request is not signed by its key',
      )
    }
    const notBefore = options.notBefore ?? new Date()
    const san = csr.getExtension(SUBJECT_ALT_NAME)
    const extendedKeyUsage = csr.getExtension(EXTENDED_KEY_USAGE)
    const leaf = await X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: csr.subject,
      issuer: this.intermediate.subject,
      notBefore,
      notAfter: new Date(notBefore.getTime() + (options.validityDays ?? 365) * DAY_MILLIS),
      signingAlgorithm: ALGORITHM,
      publicKey: csr.publicKey,
      signingKey: this.intermediateKey,
      extensions: [
        new BasicConstraintsExtension(false, undefined, true),
        new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
        await SubjectKeyIdentifierExtension.create(csr.publicKey),
        await AuthorityKeyIdentifierExtension.create(this.intermediate.publicKey),
        ...(san ? [san] : []),
        ...(extendedKeyUsage ? [extendedKeyUsage] : []),
      ],
    })
    return [leaf, this.intermediate, this.root].map((certificate) => certificate.toString('pem')).join('\n')
  }

  /** The root as an `x5c`-style base64 DER string (what a verifier or wallet is given as its trust anchor). */
  public rootBase64(): string {
    return bytesToBase64(this.root.rawData)
  }
}

function parseRequest(request: string): Pkcs10CertificateRequest {
  try {
    return new Pkcs10CertificateRequest(request.includes('-----BEGIN') ? request : request.replace(/\s+/g, ''))
  } catch (error) {
    throw new CertificateChainError('certificate_unreadable', 'Not a PKCS#10 certificate signing request', {
      cause: error,
    })
  }
}
