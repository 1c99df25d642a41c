import type { JsonWebKey, KeyObject } from 'node:crypto'
import { type DecodedJws, decodeJws, verifySignature } from './compactJws.js'
import { PROOF_OF_POSSESSION_ALGORITHMS } from './dpopProof.js'
import { jwkThumbprint, publicKeyFromJwk } from './publicKeys.js'

export const CLIENT_ATTESTATION_HEADER = 'oauth-client-attestation'
export const CLIENT_ATTESTATION_POP_HEADER = 'oauth-client-attestation-pop'

/** Why a client attestation is refused; `challenge` means its PoP lacks a live server challenge. */
export class ClientAttestationError extends Error {
  public constructor(
    message: string,
    public readonly reason: 'invalid' | 'challenge' = 'invalid',
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

/** The key that signed a client attestation, found by the caller among its trusted attesters. */
export interface AttesterKey {
  key: KeyObject
  /** Which trusted attester (wallet provider) it is. */
  attester: string
}

export interface VerifyClientAttestationOptions {
  /** The authorization server's issuer identifier: the PoP's `aud`. */
  audience: string
  /** How far the PoP's `iat` may lie from now, either way; also the clock skew allowed on `exp`/`nbf`. */
  maxAgeSeconds: number
  /** The trusted key the attestation is signed with, from its header (`x5c`, `kid`) and claims; throws if none. */
  attesterKey(attestation: DecodedJws): Promise<AttesterKey>
  /** Whether a PoP `challenge` is one the server gave out; without it a challenge is refused. */
  isLiveChallenge?: (challenge: string) => boolean
  now?: number
}

export interface VerifiedClientAttestation {
  /** The attestation's `sub`: the OAuth client_id. */
  clientId: string
  /** Thumbprint of the client instance key (`cnf.jwk`). */
  instanceJkt: string
  attester: string
  /** The PoP's `jti` and `iat`, for the caller's replay check. */
  jti: string
  iat: number
}

const algorithms = PROOF_OF_POSSESSION_ALGORITHMS as readonly string[]

function decode(jwt: unknown, what: string, typ: string): DecodedJws {
  let decoded: DecodedJws
  try {
    decoded = decodeJws(jwt)
  } catch (error) {
    throw new ClientAttestationError(`The ${what} is not a compact JWT`, 'invalid', { cause: error })
  }
  if (decoded.header.typ !== typ) throw new ClientAttestationError(`The ${what}'s 'typ' must be '${typ}'`)
  if (typeof decoded.header.alg !== 'string' || !algorithms.includes(decoded.header.alg)) {
    throw new ClientAttestationError(`The ${what}'s 'alg' must be one of ${algorithms.join(', ')}`)
  }
  return decoded
}

function instanceKey(cnf: unknown): { key: KeyObject; jwk: JsonWebKey } {
  const jwk = (cnf as { jwk?: unknown } | undefined)?.jwk
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk) || 'd' in jwk) {
    throw new ClientAttestationError("The client attestation's 'cnf.jwk' must be a public JWK")
  }
  try {
    return { key: publicKeyFromJwk(jwk as JsonWebKey), jwk: jwk as JsonWebKey }
  } catch (error) {
    throw new ClientAttestationError("The client attestation's 'cnf.jwk' cannot be used", 'invalid', { cause: error })
  }
}

function checkTimes(payload: Record<string, unknown>, what: string, now: number, skew: number) {
  const { exp, nbf } = payload
  if (exp !== undefined && (typeof exp !== 'number' || exp + skew <= now)) {
    throw new ClientAttestationError(`The ${what} has expired`)
  }
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf - skew > now)) {
    throw new ClientAttestationError(`The ${what} is not valid yet ('nbf')`)
  }
}

/**
 * Attestation-based client authentication (draft-ietf-oauth-attestation-based-client-auth-07
 * §5.2, §6): the Client Attestation JWT (`typ: oauth-client-attestation+jwt`, signed by a trusted
 * attester, `sub` the client_id, `cnf.jwk` public, `exp` not passed) and its PoP
 * (`typ: oauth-client-attestation-pop+jwt`, signed by `cnf.jwk`, `iss` the client_id, `aud` this
 * server, `jti`, `iat` within the window, `challenge` live if present). Also accepted: attestations
 * without `iss` and PoPs without `iss` (draft -08 and later dropped both), and a PoP `nonce` in
 * place of `challenge` (drafts -04/-05, which @openid4vc/oauth2 0.4.6 still writes).
 * Pure: the `jti` replay check is the caller's. Throws a {@link ClientAttestationError}.
 */
export async function verifyClientAttestation(
  attestationJwt: unknown,
  popJwt: unknown,
  options: VerifyClientAttestationOptions,
): Promise<VerifiedClientAttestation> {
  const now = options.now ?? Date.now() / 1000
  const attestation = decode(attestationJwt, 'client attestation', 'oauth-client-attestation+jwt')
  const pop = decode(popJwt, 'client attestation PoP', 'oauth-client-attestation-pop+jwt')
  const claims = attestation.payload
  if (typeof claims.sub !== 'string' || claims.sub.length === 0) {
    throw new ClientAttestationError("The client attestation must name the client_id as 'sub'")
  }
  if (typeof claims.exp !== 'number') throw new ClientAttestationError("The client attestation must carry 'exp'")
  checkTimes(claims, 'client attestation', now, options.maxAgeSeconds)
  const instance = instanceKey(claims.cnf)
  const { key, attester } = await options.attesterKey(attestation)
  if (!verifySignature(attestation.header.alg as string, key, attestation.signingInput, attestation.signature)) {
    throw new ClientAttestationError(
      "The client attestation's signature does not verify with its wallet provider's key",
    )
  }
  if (!verifySignature(pop.header.alg as string, instance.key, pop.signingInput, pop.signature)) {
    throw new ClientAttestationError("The client attestation PoP is not signed by the attestation's 'cnf.jwk'")
  }
  checkPop(pop.payload, claims.sub, now, options)
  return {
    clientId: claims.sub,
    instanceJkt: jwkThumbprint(instance.jwk),
    attester,
    jti: pop.payload.jti as string,
    iat: pop.payload.iat as number,
  }
}

function checkPop(
  payload: Record<string, unknown>,
  clientId: string,
  now: number,
  options: VerifyClientAttestationOptions,
) {
  const { iss, aud, jti, iat } = payload
  if (iss !== undefined && iss !== clientId) {
    throw new ClientAttestationError("The client attestation PoP's 'iss' must be the attestation's 'sub' (client_id)")
  }
  const audiences = Array.isArray(aud) ? aud : [aud]
  if (!audiences.includes(options.audience)) {
    throw new ClientAttestationError(`The client attestation PoP's 'aud' must be ${options.audience}`)
  }
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) {
    throw new ClientAttestationError("The client attestation PoP must carry a 'jti' of 1 to 256 characters")
  }
  if (typeof iat !== 'number' || Math.abs(iat - now) > options.maxAgeSeconds) {
    throw new ClientAttestationError(
      `The client attestation PoP's 'iat' must be within ${options.maxAgeSeconds} seconds of the server's clock`,
    )
  }
  checkTimes(payload, 'client attestation PoP', now, options.maxAgeSeconds)
  const challenge = payload.challenge ?? payload.nonce
  if (challenge !== undefined && !(typeof challenge === 'string' && options.isLiveChallenge?.(challenge))) {
    throw new ClientAttestationError(
      "The client attestation PoP's challenge is unknown or expired: use the one in the OAuth-Client-Attestation-Challenge header",
      'challenge',
    )
  }
}
