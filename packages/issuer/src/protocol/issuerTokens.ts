import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { decodeJws, encodeJwsPart, invalidToken, ProtocolError, signJwt, verifySignature } from '@attesto/agent-runtime'
import type { Request } from 'express'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'

// Access tokens, refresh tokens and c_nonces are JWTs only this issuer's instances can make and
// check, with no storage read: HS256 under the issuer's token key when token secrets are known
// (TOKEN_SIGNING_SECRET, or derived from the local KMS's master key; no KMS call: an issuance then
// makes one signature in the KMS, the credential's), otherwise signed by the issuer's own key in
// the KMS and checked against its cached public key.
// A token names its offer; the offer's row decides whether it may still be used.

type TokenType = 'at+jwt' | 'attesto-refresh+jwt' | 'attesto-c-nonce+jwt'

const now = () => Math.floor(Date.now() / 1000)

const hmac = (key: Buffer, data: Buffer | string) => createHmac('sha256', key).update(data).digest()

async function sign(issuer: ResolvedIssuer, typ: TokenType, payload: Record<string, unknown>): Promise<string> {
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
function check(issuer: ResolvedIssuer, typ: TokenType, token: string): Record<string, unknown> | undefined {
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

export function accessToken(issuer: ResolvedIssuer, offerId: string, expiresInSeconds: number): Promise<string> {
  return sign(issuer, 'at+jwt', {
    aud: issuer.credentialIssuer,
    sub: offerId,
    exp: now() + expiresInSeconds,
    jti: randomBytes(16).toString('base64url'),
  })
}

/** What a scheme checks of a request beyond the token itself; throws `invalid_token` (or its own error) to refuse it. */
type SchemeCheck = (request: Pick<Request, 'headers' | 'method'>, payload: Record<string, unknown>) => void

/**
 * The `Authorization` schemes an access token may come with. `Bearer` (RFC 6750 §2.1) takes a
 * token that is not sender-constrained. A sender-constrained scheme is one more entry: `DPoP`
 * (RFC 9449 §7.1) would check the request's `DPoP` proof (method, URL, `ath`) against the
 * token's `cnf.jkt`. This issuer makes Bearer tokens only, so `DPoP` is not accepted yet.
 */
const ACCESS_TOKEN_SCHEMES: Record<string, SchemeCheck> = {
  bearer: (_request, payload) => {
    if (payload.cnf !== undefined) {
      throw invalidToken('This access token is sender-constrained: present it with its own scheme, not Bearer')
    }
  },
}

/**
 * The offer id of the access token a request presents (`Authorization: Bearer <token>`): a token
 * of this issuer, unexpired, presented under a scheme it fits; 401 `invalid_token` otherwise.
 * The credential, deferred credential and notification endpoints all take it here.
 */
export function offerOfAccessToken(issuer: ResolvedIssuer, request: Pick<Request, 'headers' | 'method'>): string {
  const match = /^([A-Za-z]+) ([A-Za-z0-9._~+/-]+=*)$/.exec(request.headers.authorization ?? '')
  if (!match) throw invalidToken('An access token is required: send "Authorization: Bearer <access token>"')
  const name = (match[1] as string).toLowerCase() // schemes are case-insensitive (RFC 9110 §11.1)
  const scheme = Object.hasOwn(ACCESS_TOKEN_SCHEMES, name) ? ACCESS_TOKEN_SCHEMES[name] : undefined
  if (!scheme) {
    throw invalidToken(`The '${match[1]}' scheme is not supported: send "Authorization: Bearer <access token>"`)
  }
  const payload = check(issuer, 'at+jwt', match[2] as string)
  if (!payload || typeof payload.sub !== 'string' || payload.aud !== issuer.credentialIssuer) {
    throw invalidToken('The access token is invalid or expired')
  }
  scheme(request, payload)
  return payload.sub
}

export function refreshToken(issuer: ResolvedIssuer, offerId: string, expiresInSeconds: number): Promise<string> {
  return sign(issuer, 'attesto-refresh+jwt', { sub: offerId, exp: now() + expiresInSeconds })
}

/** The offer id a refresh token was issued for; 400 `invalid_grant` otherwise. */
export function offerOfRefreshToken(issuer: ResolvedIssuer, token: string): string {
  const payload = check(issuer, 'attesto-refresh+jwt', token)
  if (!payload || typeof payload.sub !== 'string') {
    throw new ProtocolError(400, 'invalid_grant', 'The refresh token is invalid or expired')
  }
  return payload.sub
}

export function cNonce(issuer: ResolvedIssuer, ttlSeconds: number): Promise<string> {
  return sign(issuer, 'attesto-c-nonce+jwt', { exp: now() + ttlSeconds, n: randomBytes(12).toString('base64url') })
}

/** Whether `nonce` is a live c_nonce of this issuer. */
export function isLiveCNonce(issuer: ResolvedIssuer, nonce: unknown): boolean {
  return typeof nonce === 'string' && check(issuer, 'attesto-c-nonce+jwt', nonce) !== undefined
}
