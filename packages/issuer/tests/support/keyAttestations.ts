import { webcrypto } from 'node:crypto'
import {
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  type X509Certificate,
  X509CertificateGenerator,
} from '@peculiar/x509'
import { type JWK, SignJWT } from 'jose'

// A wallet provider as OID4VCI 1.0 Appendix D and HAIP 1.0 §4.5.1 describe it, built with
// @peculiar/x509 (its CA and signing certificate) and jose (its key attestations), independent
// of the issuer's code.

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const
const DAY = 24 * 3600 * 1000
let serial = 1

const generate = () => webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>

const base64 = (certificate: X509Certificate) => Buffer.from(certificate.rawData).toString('base64')

/** A wallet provider: a root CA, and a signing certificate it issued (or a self-signed one). */
export class WalletProviderCa {
  private constructor(
    public readonly root: X509Certificate,
    public readonly signer: X509Certificate,
    public readonly signerKeys: webcrypto.CryptoKeyPair,
  ) {}

  public static async create(name: string, options: { selfSignedSigner?: boolean } = {}): Promise<WalletProviderCa> {
    const rootKeys = await generate()
    const root = await X509CertificateGenerator.createSelfSigned({
      serialNumber: String(serial++).padStart(2, '0'),
      name: `CN=${name} Root CA`,
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 365 * DAY),
      keys: rootKeys,
      signingAlgorithm: EC,
      extensions: [
        new BasicConstraintsExtension(true, 0, true),
        new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
      ],
    })
    const signerKeys = await generate()
    const signerParams = {
      serialNumber: String(serial++).padStart(2, '0'),
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 90 * DAY),
      signingAlgorithm: EC,
      extensions: [new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true)],
    }
    const signer = options.selfSignedSigner
      ? await X509CertificateGenerator.createSelfSigned({
          ...signerParams,
          name: `CN=${name} Key Attestation Signer`,
          keys: signerKeys,
        })
      : await X509CertificateGenerator.create({
          ...signerParams,
          subject: `CN=${name} Key Attestation Signer`,
          issuer: root.subject,
          publicKey: signerKeys.publicKey,
          signingKey: rootKeys.privateKey,
        })
    return new WalletProviderCa(root, signer, signerKeys)
  }

  /** The root certificate, base64 DER: what the tenant trusts (`PUT /wallet-providers/{id}`). */
  public rootBase64(): string {
    return base64(this.root)
  }

  /** The `x5c` HAIP asks for: the signing certificate, without the trust anchor. */
  public x5c(): string[] {
    return [base64(this.signer)]
  }
}

export interface KeyAttestationClaims {
  attestedKeys: JWK[]
  keyStorage?: string[]
  userAuthentication?: string[]
  nonce?: string
  /** Seconds since the epoch; `null` leaves `exp` out. */
  exp?: number | null
  iat?: number
}

/** A key attestation JWT (Appendix D.1) signed by the provider's signing certificate, `x5c` in its header. */
export function keyAttestation(
  provider: WalletProviderCa,
  claims: KeyAttestationClaims,
  header: { x5c?: string[]; typ?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const payload = {
    iss: 'https://wallet-provider.example',
    attested_keys: claims.attestedKeys,
    ...(claims.keyStorage ? { key_storage: claims.keyStorage } : {}),
    ...(claims.userAuthentication ? { user_authentication: claims.userAuthentication } : {}),
    ...(claims.nonce !== undefined ? { nonce: claims.nonce } : {}),
    ...(claims.exp === null ? {} : { exp: claims.exp ?? now + 3600 }),
    certification: 'https://certification.example/wallet-secure-element',
  }
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', typ: header.typ ?? 'key-attestation+jwt', x5c: header.x5c ?? provider.x5c() })
    .setIssuedAt(claims.iat ?? now)
    .sign(provider.signerKeys.privateKey)
}

/** A wallet provider whose root the tenant of `key` trusts (`PUT /wallet-providers/example-wallet`). */
export async function trustedWalletProvider(
  service: { call: (method: string, path: string, key: string, body?: unknown) => Promise<{ status: number }> },
  key: string,
): Promise<WalletProviderCa> {
  const provider = await WalletProviderCa.create('Example Wallet')
  const trusted = await service.call('PUT', '/wallet-providers/example-wallet', key, {
    certificate: provider.rootBase64(),
  })
  if (trusted.status !== 200) throw new Error(`wallet provider not trusted: HTTP ${trusted.status}`)
  return provider
}
