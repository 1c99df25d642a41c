import { createHash, type JsonWebKey, type KeyObject } from 'node:crypto'
import { decodeJws, verifySignature } from './compactJws.js'
import { jwkThumbprint, publicKeyFromJwk } from './publicKeys.js'

/** Asymmetric JOSE algorithms a DPoP proof (or an attestation PoP) may be signed with here. */
export const PROOF_OF_POSSESSION_ALGORITHMS = ['ES256', 'ES384', 'EdDSA'] as const

/** Why a DPoP proof is refused (RFC 9449 §4.3); `nonce` means the proof lacks a live server nonce. */
export class DpopProofError extends Error {
  public constructor(
    message: string,
    public readonly reason: 'invalid' | 'nonce' = 'invalid',
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

export interface VerifyDpopProofOptions {
  /** The request's method (`htm`). */
  method: string
  /** The URL the client called, as the client sees it (the public base URL, not the proxy's). */
  url: string
  /** The access token the request presents: its hash must be the proof's `ath` (RFC 9449 §4.3 step 12). */
  accessToken?: string
  /** How far `iat` may lie from now, either way. */
  maxAgeSeconds: number
  /** Whether the proof's `nonce` is one the server gave out (RFC 9449 §8); undefined: no nonce is asked for. */
  isLiveNonce?: (nonce: unknown) => boolean
  now?: number
}

export interface VerifiedDpopProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's key: `cnf.jkt` of what it binds. */
  jkt: string
  jti: string
  iat: number
  key: KeyObject
}

/**
 * RFC 9449 §4.3: the `htu` of a request URL, without query and fragment, scheme and host in lower
 * case, the default port dropped (the URL parser normalises these).
 */
export function normalisedHtu(url: string): string | undefined {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`
  } catch {
    return undefined
  }
}

/** The `ath` of an access token: base64url SHA-256 of its ASCII (RFC 9449 §4.2). */
export const accessTokenHash = (token: string) => createHash('sha256').update(token, 'ascii').digest('base64url')

function proofKey(jwk: unknown): KeyObject {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    throw new DpopProofError("The DPoP proof's header must carry the public key as 'jwk'")
  }
  if ('d' in jwk) throw new DpopProofError("The DPoP proof's 'jwk' must be a public key")
  try {
    return publicKeyFromJwk(jwk as JsonWebKey)
  } catch (error) {
    throw new DpopProofError(`The DPoP proof's key cannot be used: ${(error as Error).message}`, 'invalid', {
      cause: error,
    })
  }
}

/**
 * Checks a DPoP proof JWT (RFC 9449 §4.3): one well-formed JWT, `typ: dpop+jwt`, an asymmetric
 * algorithm of {@link PROOF_OF_POSSESSION_ALGORITHMS}, a public `jwk` that verifies its signature,
 * `htm` and `htu` of this request, `iat` within `maxAgeSeconds`, a `jti`, `ath` when an access
 * token is presented, and a live `nonce` when asked for. Pure: the `jti` replay check is the
 * caller's, with the answered `jti` and `jkt`. Throws a {@link DpopProofError}.
 */
export function verifyDpopProof(proof: unknown, options: VerifyDpopProofOptions): VerifiedDpopProof {
  let decoded: ReturnType<typeof decodeJws>
  try {
    decoded = decodeJws(proof)
  } catch (error) {
    throw new DpopProofError(`The DPoP proof is not a compact JWT: ${(error as Error).message}`, 'invalid', {
      cause: error,
    })
  }
  const { header, payload } = decoded
  if (header.typ !== 'dpop+jwt') throw new DpopProofError("The DPoP proof's 'typ' must be 'dpop+jwt'")
  const alg = header.alg
  if (typeof alg !== 'string' || !(PROOF_OF_POSSESSION_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new DpopProofError(`The DPoP proof's 'alg' must be one of ${PROOF_OF_POSSESSION_ALGORITHMS.join(', ')}`)
  }
  const key = proofKey(header.jwk)
  if (!verifySignature(alg, key, decoded.signingInput, decoded.signature)) {
    throw new DpopProofError("The DPoP proof's signature does not verify with its 'jwk'")
  }
  checkClaims(payload, options)
  return {
    jkt: jwkThumbprint(header.jwk as JsonWebKey),
    jti: payload.jti as string,
    iat: payload.iat as number,
    key,
  }
}

function checkClaims(payload: Record<string, unknown>, options: VerifyDpopProofOptions) {
  const { jti, htm, htu, iat, ath, nonce } = payload
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) {
    throw new DpopProofError("The DPoP proof must carry a 'jti' of 1 to 256 characters")
  }
  if (htm !== options.method) throw new DpopProofError(`The DPoP proof's 'htm' must be '${options.method}'`)
  const expected = normalisedHtu(options.url)
  if (typeof htu !== 'string' || normalisedHtu(htu) !== expected) {
    throw new DpopProofError(`The DPoP proof's 'htu' must be '${expected}'`)
  }
  const now = options.now ?? Date.now() / 1000
  if (typeof iat !== 'number' || !Number.isFinite(iat) || Math.abs(iat - now) > options.maxAgeSeconds) {
    throw new DpopProofError(
      `The DPoP proof's 'iat' must be within ${options.maxAgeSeconds} seconds of the server's clock`,
    )
  }
  if (options.accessToken !== undefined && ath !== accessTokenHash(options.accessToken)) {
    throw new DpopProofError("The DPoP proof's 'ath' must be the SHA-256 hash of the access token it comes with")
  }
  if (options.isLiveNonce && !options.isLiveNonce(nonce)) {
    throw new DpopProofError(
      nonce === undefined
        ? 'A DPoP nonce is required: use the one in the DPoP-Nonce header'
        : "The DPoP proof's 'nonce' is unknown or expired: use the one in the DPoP-Nonce header",
      'nonce',
    )
  }
}
