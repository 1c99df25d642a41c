import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto'
import { X509Certificate } from '@peculiar/x509'
import { CompactEncrypt, compactVerify, importJWK, type JWK } from 'jose'

const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url')
const json = (value: unknown) => b64(JSON.stringify(value))
const digest = (text: string) => createHash('sha256').update(text, 'ascii').digest('base64url')

function es256(key: KeyObject, header: object, payload: object): string {
  const input = `${json(header)}.${json(payload)}`
  return `${input}.${b64(sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }))}`
}

/** A disclosure of `name` with `value` (RFC 9901 §4.2.1), and its digest. */
export function disclosure(name: string, value: unknown): { encoded: string; digest: string } {
  const encoded = json([randomBytes(16).toString('base64url'), name, value])
  return { encoded, digest: digest(encoded) }
}

export interface IssuedCredential {
  issuerJwt: string
  disclosures: Record<string, string>
}

/** An issuer key certified by a CA: what it signs carries its chain (`x5c`, leaf first, no root). */
export interface CertifiedIssuer {
  privateKey: KeyObject
  x5c: string[]
}

export interface RequestObject {
  header: Record<string, unknown>
  payload: Record<string, unknown> & {
    client_id: string
    nonce: string
    state: string
    response_uri: string
    response_mode: string
    client_metadata: { jwks?: { keys: JWK[] }; encrypted_response_enc_values_supported?: string[] }
  }
}

/**
 * A wallet and an issuer built by hand with node:crypto and jose, independent of Credo: it signs
 * SD-JWT VCs (did:jwk issuer, every claim selectively disclosable), presents them with a KB-JWT,
 * and encrypts responses, and it can do what an honest wallet never would.
 */
export class HandBuiltWallet {
  public readonly issuerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  public readonly holderKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  public readonly issuerDid = `did:jwk:${json(this.publicJwk(this.issuerKey.publicKey))}`

  private publicJwk(key: KeyObject) {
    const { kty, crv, x, y } = key.export({ format: 'jwk' })
    return { kty, crv, x, y }
  }

  /**
   * An SD-JWT VC of type `vct` with `claims`, each its own disclosure, bound to the holder key;
   * signed by the did:jwk issuer, or by a `certified` key with its chain in `x5c` (and no `iss`,
   * as SD-JWT VC draft -13 allows).
   */
  public issue(
    vct: string,
    claims: Record<string, unknown>,
    extra: Record<string, unknown> = {},
    certified?: CertifiedIssuer,
  ): IssuedCredential {
    const disclosures = Object.fromEntries(
      Object.entries(claims).map(([name, value]) => [name, disclosure(name, value)]),
    )
    const now = Math.floor(Date.now() / 1000)
    const payload = {
      ...(certified ? {} : { iss: this.issuerDid }),
      vct,
      iat: now,
      _sd_alg: 'sha-256',
      _sd: Object.values(disclosures).map((d) => d.digest),
      cnf: { jwk: this.publicJwk(this.holderKey.publicKey) },
      ...extra,
    }
    const issuerJwt = certified
      ? es256(certified.privateKey, { alg: 'ES256', typ: 'dc+sd-jwt', x5c: certified.x5c }, payload)
      : es256(this.issuerKey.privateKey, { alg: 'ES256', typ: 'dc+sd-jwt', kid: `${this.issuerDid}#0` }, payload)
    return {
      issuerJwt,
      disclosures: Object.fromEntries(Object.entries(disclosures).map(([name, d]) => [name, d.encoded])),
    }
  }

  /**
   * Fetches the request object of an `openid4vp://` URI (GET, or POST with `form` as a wallet
   * does for `request_uri_method=post`) and verifies it with jose: against the key of its `x5c`
   * leaf (read with @peculiar/x509; the caller checks the chain and the client identifier), or
   * of the verifier's did:jwk.
   */
  public async fetchRequest(uri: string, form?: Record<string, string>): Promise<RequestObject> {
    const requestUri = new URL(uri).searchParams.get('request_uri') as string
    const response = form
      ? await fetch(requestUri, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/oauth-authz-req+jwt' },
          body: new URLSearchParams(form).toString(),
        })
      : await fetch(requestUri)
    if (!response.ok) throw new Error(`request object: ${response.status} ${await response.text()}`)
    const jwt = await response.text()
    const header = JSON.parse(Buffer.from(jwt.split('.')[0] as string, 'base64url').toString())
    const key = Array.isArray(header.x5c)
      ? await new X509Certificate(Buffer.from(header.x5c[0], 'base64')).publicKey.export()
      : await importJWK(didJwk(String(header.kid)), 'ES256')
    const { payload } = await compactVerify(jwt, key)
    return { header, payload: JSON.parse(Buffer.from(payload).toString()) }
  }

  /**
   * `<issuer-jwt>~<disclosures>~<kb-jwt>` for `request`; `kb` overrides key-binding claims
   * (nonce, aud, iat, sd_hash).
   */
  public present(
    request: RequestObject,
    credential: IssuedCredential,
    disclosures: string[],
    kb: Record<string, unknown> = {},
  ) {
    const bound = `${[credential.issuerJwt, ...disclosures].join('~')}~`
    const proof = {
      iat: Math.floor(Date.now() / 1000),
      aud: request.payload.client_id,
      nonce: request.payload.nonce,
      sd_hash: digest(bound),
      ...kb,
    }
    return `${bound}${es256(this.holderKey.privateKey, { alg: 'ES256', typ: 'kb+jwt' }, proof)}`
  }

  /** Posts a response to the request's response_uri: encrypted to its key when it asks for direct_post.jwt. */
  public async respond(request: RequestObject, params: Record<string, unknown>, options: { encrypt?: boolean } = {}) {
    const encrypt = options.encrypt ?? request.payload.response_mode === 'direct_post.jwt'
    const form = encrypt
      ? { response: await this.encrypt(request, params) }
      : Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
    return postForm(request.payload.response_uri, form)
  }

  /** A compact JWE (ECDH-ES, A128GCM) of `params` to the verifier's encryption key. */
  public async encrypt(request: RequestObject, params: Record<string, unknown>): Promise<string> {
    const jwk = request.payload.client_metadata.jwks?.keys[0] as JWK
    return new CompactEncrypt(Buffer.from(JSON.stringify(params)))
      .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A128GCM', kid: jwk.kid })
      .encrypt(await importJWK(jwk, 'ECDH-ES'))
  }
}

/** The public JWK a did:jwk (or one of its DID URLs) carries. */
function didJwk(didUrl: string): JWK {
  const did = didUrl.split('#')[0] as string
  return JSON.parse(Buffer.from(did.slice('did:jwk:'.length), 'base64url').toString())
}

/** POSTs a form; answers the status, the JSON body and the headers. */
export async function postForm(url: string, form: Record<string, string>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  })
  const text = await response.text()
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : {}) as Record<string, string>,
    headers: response.headers,
  }
}
