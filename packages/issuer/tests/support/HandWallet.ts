import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto'

// biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected loosely in tests
type Body = Record<string, any>

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** A parsed `openid-credential-offer://?credential_offer=…` URI. */
export function parseOffer(uri: string) {
  const offer = JSON.parse(new URL(uri).searchParams.get('credential_offer') as string)
  const grant = offer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']
  return {
    credentialIssuer: offer.credential_issuer as string,
    configurationId: offer.credential_configuration_ids[0] as string,
    code: grant['pre-authorized_code'] as string,
  }
}

/**
 * A wallet built by hand from the OID4VCI 1.0 text (fetch + node:crypto, no Credo), to send
 * what Credo's wallet never would: wrong codes, stale nonces, several proofs, bad tokens.
 */
export class HandWallet {
  public readonly privateKey: KeyObject
  public readonly jwk: Record<string, unknown>

  public constructor() {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    this.privateKey = pair.privateKey
    const { kty, crv, x, y } = pair.publicKey.export({ format: 'jwk' })
    this.jwk = { kty, crv, x, y }
  }

  public async token(credentialIssuer: string, form: Record<string, string>) {
    const response = await fetch(`${credentialIssuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    })
    return { status: response.status, headers: response.headers, body: (await response.json()) as Body }
  }

  public redeem(credentialIssuer: string, code: string, txCode?: string) {
    return this.token(credentialIssuer, {
      grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code',
      'pre-authorized_code': code,
      ...(txCode ? { tx_code: txCode } : {}),
    })
  }

  public async nonce(credentialIssuer: string): Promise<string> {
    const response = await fetch(`${credentialIssuer}/nonce`, { method: 'POST' })
    return ((await response.json()) as { c_nonce: string }).c_nonce
  }

  public proof(
    credentialIssuer: string,
    nonce: string,
    overrides: { header?: object; payload?: object; key?: KeyObject } = {},
  ): string {
    const header = { alg: 'ES256', typ: 'openid4vci-proof+jwt', jwk: this.jwk, ...overrides.header }
    const payload = { aud: credentialIssuer, iat: Math.floor(Date.now() / 1000), nonce, ...overrides.payload }
    const input = `${part(header)}.${part(payload)}`
    const signature = sign('sha256', Buffer.from(input), {
      key: overrides.key ?? this.privateKey,
      dsaEncoding: 'ieee-p1363',
    })
    return `${input}.${signature.toString('base64url')}`
  }

  public async credential(credentialIssuer: string, accessToken: string | undefined, body: object) {
    const response = await fetch(`${credentialIssuer}/credential`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(accessToken === undefined ? {} : { authorization: `Bearer ${accessToken}` }),
      },
      body: JSON.stringify(body),
    })
    return { status: response.status, headers: response.headers, body: (await response.json()) as Body }
  }
}
