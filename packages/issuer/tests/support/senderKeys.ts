import { createHash, generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto'
import type { DevelopmentCa } from '@attesto/protocol-kit'
import { Pkcs10CertificateRequestGenerator, X509Certificate } from '@peculiar/x509'
import type * as oauth from 'oauth4webapi'

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
const now = () => Math.floor(Date.now() / 1000)

/** A compact ES256 JWT signed by hand (node:crypto), to send what no library would. */
export function signJwt(header: object, payload: object, key: KeyObject): string {
  const input = `${part({ alg: 'ES256', ...header })}.${part(payload)}`
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`
}

/** A P-256 key pair with its public JWK: a DPoP key, a wallet instance key, a wallet provider key. */
export class SenderKey {
  public readonly privateKey: KeyObject
  public readonly jwk: { kty: string; crv: string; x: string; y: string }

  public constructor() {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    this.privateKey = pair.privateKey
    const { kty, crv, x, y } = pair.publicKey.export({ format: 'jwk' }) as Record<string, string>
    this.jwk = { kty: kty as string, crv: crv as string, x: x as string, y: y as string }
  }

  /** RFC 7638 thumbprint. */
  public get jkt(): string {
    const { crv, kty, x, y } = this.jwk
    return createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url')
  }

  /** A DPoP proof (RFC 9449 §4.2) with what the caller overrides. */
  public dpop(
    claims: { htm: string; htu: string; ath?: string; nonce?: string; iat?: number; jti?: string },
    header: object = {},
  ): string {
    return signJwt(
      { typ: 'dpop+jwt', jwk: this.jwk, ...header },
      { jti: claims.jti ?? randomUUID(), iat: claims.iat ?? now(), ...claims },
      this.privateKey,
    )
  }
}

export const ath = (token: string) => createHash('sha256').update(token).digest('base64url')

/** A wallet attestation (draft -07 §5.1) for `instance`, signed by `provider` (with its `x5c` when given). */
export function walletAttestation(
  provider: SenderKey,
  instance: SenderKey,
  options: { clientId?: string; x5c?: string[]; kid?: string; exp?: number; iss?: string } = {},
): string {
  return signJwt(
    {
      typ: 'oauth-client-attestation+jwt',
      ...(options.x5c ? { x5c: options.x5c } : {}),
      ...(options.kid ? { kid: options.kid } : {}),
    },
    {
      iss: options.iss ?? 'https://wallet-provider.example',
      sub: options.clientId ?? 'wallet-client',
      iat: now() - 60,
      exp: options.exp ?? now() + 3600,
      cnf: { jwk: instance.jwk },
    },
    provider.privateKey,
  )
}

/** Its PoP (draft -07 §5.2), signed by the instance key. */
export function attestationPop(
  instance: SenderKey,
  audience: string,
  options: { clientId?: string; jti?: string; iat?: number; challenge?: string } = {},
): string {
  return signJwt(
    { typ: 'oauth-client-attestation-pop+jwt' },
    {
      iss: options.clientId ?? 'wallet-client',
      aud: audience,
      jti: options.jti ?? randomUUID(),
      iat: options.iat ?? now(),
      ...(options.challenge ? { challenge: options.challenge } : {}),
    },
    instance.privateKey,
  )
}

/**
 * oauth4webapi's client authentication by wallet attestation (it has no `attest_jwt_client_auth`
 * of its own): the attestation of `attestedClientId` and a fresh PoP on every request, the
 * client's `client_id` in the body.
 */
export function attestationClientAuth(
  attestation: string,
  instance: SenderKey,
  attestedClientId = 'wallet-client',
): oauth.ClientAuth {
  return (server, client, body, headers) => {
    body.set('client_id', client.client_id)
    headers.set('OAuth-Client-Attestation', attestation)
    headers.set('OAuth-Client-Attestation-PoP', attestationPop(instance, server.issuer, { clientId: attestedClientId }))
  }
}

/** A wallet provider's signing certificate from `ca` (a CSR made with @peculiar/x509): its `x5c`, leaf first, no root. */
export async function providerChain(ca: DevelopmentCa, key: SenderKey): Promise<string[]> {
  const subtle = globalThis.crypto.subtle
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
  const keys = {
    privateKey: await subtle.importKey(
      'pkcs8',
      key.privateKey.export({ format: 'der', type: 'pkcs8' }),
      algorithm,
      true,
      ['sign'],
    ),
    publicKey: await subtle.importKey('jwk', key.jwk, algorithm, true, ['verify']),
  }
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: 'CN=Example Wallet Provider',
    keys,
    signingAlgorithm: algorithm,
  })
  const pem = await ca.issue(csr.toString('pem'))
  const chain = [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map(
    (match) => new X509Certificate(match[0]),
  )
  return chain.slice(0, -1).map((certificate) => Buffer.from(certificate.rawData).toString('base64'))
}
