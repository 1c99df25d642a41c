import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { invalidToken, ProtocolError, signJwt } from '@attesto/agent-runtime'
import { decodeJws, encodeJwsPart, verifySignature } from '@attesto/protocol-kit/jose'
import type { Request } from 'express'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import { dpopOf } from '../issuers/senderConstraints.js'

// Access tokens, refresh tokens and c_nonces are JWTs only this issuer's instances can make and
// check, with no storage read: HS256 under the issuer's token key when token secrets are known
// (TOKEN_SIGNING_SECRET, or derived from the local KMS's master key; no KMS call: an issuance then
// makes one signature in the KMS, the credential's), otherwise signed by the issuer's own key in
// the KMS and checked against its cached public key.
// A token names its offer; the offer's row decides whether it may still be used.

export type TokenType = 'at+jwt' | 'attesto-refresh+jwt' | 'attesto-c-nonce+jwt' | 'attesto-server-nonce+jwt'

/**
 * Who a token request came from, as its proofs showed (`protocol/senderOf.ts`): the thumbprint
 * of its DPoP key, and the client and instance key its wallet attestation named. Tokens made for
 * it are bound to them.
 */
export interface TokenSender {
  /** DPoP key thumbprint (RFC 9449): the token is `cnf.jkt`-bound and of type DPoP. */
  jkt?: string
  /** The attested client (draft-ietf-oauth-attestation-based-client-auth-07). */
  client?: { clientId: string; instanceJkt: string }
}

const now = () => Math.floor(Date.now() / 1000)

const hmac = (key: Buffer, data: Buffer | string) => createHmac('sha256', key).update(data).digest()

export async function signIssuerToken(
  issuer: ResolvedIssuer,
  typ: TokenType,
  payload: Record<string, unknown>,
): Promise<string> {
  const claims = { iss: issuer.credentialIssuer, iat: now(), ...payload }
  const tokenKey = issuer.tokenKeys?.[0]
  if (tokenKey) {
    const input = `${encodeJwsPart({ alg: 'HS256', typ })}.${encodeJwsPart(claims)}`
    return `${input}.${hmac(tokenKey, input).toString('base64url')}`
  }
  return signJwt(issuer.tenantContext, {
    keyId: issuer.profile.keyId,
    alg: issuer.alg,
    header: { typ },
    payload: claims,
  })
}

function signatureHolds(issuer: ResolvedIssuer, alg: unknown, decoded: ReturnType<typeof decodeJws>): boolean {
  if (issuer.tokenKeys) {
    return (
      alg === 'HS256' &&
      issuer.tokenKeys.some((key) => {
        const expected = hmac(key, decoded.signingInput)
        return decoded.signature.length === expected.length && timingSafeEqual(decoded.signature, expected)
      })
    )
  }
  return alg === issuer.alg && verifySignature(issuer.alg, issuer.publicKey, decoded.signingInput, decoded.signature)
}

/** The payload of a token of ours of type `typ`, or undefined when it is not one (wrong, forged, expired). */
export function checkIssuerToken(
  issuer: ResolvedIssuer,
  typ: TokenType,
  token: string,
): Record<string, unknown> | undefined {
  let decoded: ReturnType<typeof decodeJws>
  try {
    decoded = decodeJws(token)
  } catch {
    return undefined
  }
  const { header, payload } = decoded
  if (header.typ !== typ || !signatureHolds(issuer, header.alg, decoded)) return undefined
  if (payload.iss !== issuer.credentialIssuer || typeof payload.exp !== 'number' || payload.exp <= now()) {
    return undefined
  }
  return payload
}

/** An access token for the offer, bound to the sender's DPoP key (`cnf.jkt`) when it proved one. */
export function accessToken(
  issuer: ResolvedIssuer,
  offerId: string,
  expiresInSeconds: number,
  sender: TokenSender = {},
): Promise<string> {
  return signIssuerToken(issuer, 'at+jwt', {
    aud: issuer.credentialIssuer,
    sub: offerId,
    exp: now() + expiresInSeconds,
    jti: randomBytes(16).toString('base64url'),
    ...(sender.jkt ? { cnf: { jkt: sender.jkt } } : {}),
    ...(sender.client ? { client_id: sender.client.clientId } : {}),
  })
}

/**
 * The DPoP check of a request presenting a DPoP-bound token (`protocol/dpop/`): its proof, with
 * `ath` of `token`, signed by the key `jkt` names; throws the RFC 9449 §7.1 refusal.
 */
export type DpopTokenCheck = (
  issuer: ResolvedIssuer,
  request: Pick<Request, 'headers' | 'method' | 'path'>,
  token: string,
  jkt: string,
) => Promise<void>

/** What a scheme checks of a request beyond the token itself; throws `invalid_token` (or its own error) to refuse it. */
export type SchemeCheck = (
  issuer: ResolvedIssuer,
  request: Pick<Request, 'headers' | 'method' | 'path'>,
  token: string,
  payload: Record<string, unknown>,
  dpop: DpopTokenCheck | undefined,
) => Promise<void>

const boundKey = (payload: Record<string, unknown>) => {
  const jkt = (payload.cnf as { jkt?: unknown } | undefined)?.jkt
  return typeof jkt === 'string' ? jkt : undefined
}

/**
 * The `Authorization` schemes an access token may come with. `Bearer` (RFC 6750 §2.1) takes a
 * token that is not sender-constrained, unless the issuer requires DPoP. `DPoP` (RFC 9449 §7.1)
 * takes a `cnf.jkt`-bound token with the request's `DPoP` proof (method, URL, `ath`, nonce, `jti`
 * once) signed by that key.
 */
const ACCESS_TOKEN_SCHEMES: Record<string, SchemeCheck> = {
  bearer: async (issuer, _request, _token, payload) => {
    if (payload.cnf !== undefined) {
      throw invalidToken(
        'This access token is DPoP-bound: present it as "Authorization: DPoP <token>" with a DPoP proof',
      )
    }
    if (dpopOf(issuer.profile) === 'required') throw invalidToken('This issuer takes DPoP-bound access tokens only')
  },
  dpop: async (issuer, request, token, payload, dpop) => {
    const jkt = boundKey(payload)
    if (!jkt || !dpop) throw invalidToken('This access token is not DPoP-bound: present it as Bearer')
    await dpop(issuer, request, token, jkt)
  },
}

/**
 * The access token of a request's `Authorization` header (`Bearer <token>` or `DPoP <token>`) and
 * the check of its scheme (applied once the token's payload is known); 401 `invalid_token` without one.
 */
export function presentedAccessToken(request: Pick<Request, 'headers'>): { scheme: SchemeCheck; token: string } {
  const match = /^([A-Za-z]+) ([A-Za-z0-9._~+/-]+=*)$/.exec(request.headers.authorization ?? '')
  if (!match) throw invalidToken('An access token is required: send "Authorization: Bearer <access token>"')
  const name = (match[1] as string).toLowerCase() // schemes are case-insensitive (RFC 9110 §11.1)
  const scheme = Object.hasOwn(ACCESS_TOKEN_SCHEMES, name) ? ACCESS_TOKEN_SCHEMES[name] : undefined
  if (!scheme) {
    throw invalidToken(`The '${match[1]}' scheme is not supported: send "Authorization: Bearer|DPoP <access token>"`)
  }
  return { scheme, token: match[2] as string }
}

/**
 * The offer id of the access token a request presents (`Authorization: Bearer <token>` or
 * `Authorization: DPoP <token>` with a proof): a token of this issuer, unexpired, presented under
 * the scheme it fits; 401 `invalid_token` otherwise (and the DPoP refusals of `dpop`).
 * The credential, deferred credential and notification endpoints all take it here.
 */
export async function offerOfAccessToken(
  issuer: ResolvedIssuer,
  request: Pick<Request, 'headers' | 'method' | 'path'>,
  dpop?: DpopTokenCheck,
): Promise<string> {
  const { scheme, token } = presentedAccessToken(request)
  const payload = checkIssuerToken(issuer, 'at+jwt', token)
  if (!payload || typeof payload.sub !== 'string' || payload.aud !== issuer.credentialIssuer) {
    throw invalidToken('The access token is invalid or expired')
  }
  await scheme(issuer, request, token, payload, dpop)
  return payload.sub
}

/**
 * A refresh token for the offer, bound like its access token to the sender's DPoP key (RFC 9449
 * §5) and to its attested client instance key (attestation-based client auth -07 §10.3).
 */
export function refreshToken(
  issuer: ResolvedIssuer,
  offerId: string,
  expiresInSeconds: number,
  sender: TokenSender = {},
): Promise<string> {
  return signIssuerToken(issuer, 'attesto-refresh+jwt', {
    sub: offerId,
    exp: now() + expiresInSeconds,
    ...(sender.jkt ? { cnf: { jkt: sender.jkt } } : {}),
    ...(sender.client ? { cik: sender.client.instanceJkt } : {}),
  })
}

/**
 * The offer id a refresh token was issued for, if the refreshing request comes from the sender it
 * was bound to (the same DPoP key, the same attested instance key); 400 `invalid_grant` otherwise.
 */
export function offerOfRefreshToken(issuer: ResolvedIssuer, token: string, sender: TokenSender = {}): string {
  const payload = checkIssuerToken(issuer, 'attesto-refresh+jwt', token)
  if (!payload || typeof payload.sub !== 'string') {
    throw new ProtocolError(400, 'invalid_grant', 'The refresh token is invalid or expired')
  }
  const jkt = boundKey(payload)
  if (jkt !== undefined && jkt !== sender.jkt) {
    throw new ProtocolError(400, 'invalid_grant', 'The refresh token is DPoP-bound: prove its key with a DPoP proof')
  }
  if (payload.cik !== undefined && payload.cik !== sender.client?.instanceJkt) {
    throw new ProtocolError(
      400,
      'invalid_grant',
      'The refresh token is bound to a client instance: authenticate with the same wallet attestation key',
    )
  }
  return payload.sub
}

export function cNonce(issuer: ResolvedIssuer, ttlSeconds: number): Promise<string> {
  return signIssuerToken(issuer, 'attesto-c-nonce+jwt', {
    exp: now() + ttlSeconds,
    n: randomBytes(12).toString('base64url'),
  })
}

/** Whether `nonce` is a live c_nonce of this issuer. */
export function isLiveCNonce(issuer: ResolvedIssuer, nonce: unknown): boolean {
  return typeof nonce === 'string' && checkIssuerToken(issuer, 'attesto-c-nonce+jwt', nonce) !== undefined
}
