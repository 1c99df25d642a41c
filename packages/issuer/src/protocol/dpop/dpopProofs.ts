import { createHash } from 'node:crypto'
import { ProtocolError } from '@attesto/agent-runtime'
import {
  DpopProofError,
  PROOF_OF_POSSESSION_ALGORITHMS,
  type VerifiedDpopProof,
  verifyDpopProof,
} from '@attesto/protocol-kit/jose'
import type { Request } from 'express'
import type { ResolvedIssuer } from '../../issuers/IssuerDirectory.js'
import { dpopOf } from '../../issuers/senderConstraints.js'
import type { DpopTokenCheck } from '../issuerTokens.js'
import { endpointUrl, replayTtlSeconds, type SenderProofs } from '../senderProofs.js'

type ProofRequest = Pick<Request, 'headers' | 'method' | 'path'>

/** Answers at the authorization server (400, RFC 9449 §5, §8) or at a resource (401, RFC 9449 §7.1). */
type Where = 'authorization-server' | 'resource'

async function refusal(
  issuer: ResolvedIssuer,
  proofs: SenderProofs,
  where: Where,
  error: 'invalid_dpop_proof' | 'use_dpop_nonce' | 'invalid_token',
  description: string,
): Promise<ProtocolError> {
  const headers: Record<string, string> = { 'DPoP-Nonce': await proofs.nonces.nonce(issuer, 'dpop') }
  if (where === 'authorization-server') return new ProtocolError(400, error, description, {}, headers)
  const quoted = description.replace(/["\\\r\n]/g, ' ')
  headers['WWW-Authenticate'] =
    `DPoP error="${error}", error_description="${quoted}", algs="${PROOF_OF_POSSESSION_ALGORITHMS.join(' ')}"`
  return new ProtocolError(401, error, description, {}, headers)
}

/**
 * Checks the request's one DPoP proof for this endpoint (with `ath` of `accessToken` at a
 * resource), a live server nonce in it, and its `jti` first seen on any instance.
 */
async function checkProof(
  issuer: ResolvedIssuer,
  request: ProofRequest,
  proofs: SenderProofs,
  where: Where,
  accessToken?: string,
): Promise<VerifiedDpopProof> {
  const header = request.headers.dpop
  if (typeof header !== 'string' || header.includes(',')) {
    throw await refusal(issuer, proofs, where, 'invalid_dpop_proof', 'Send exactly one DPoP proof in the DPoP header')
  }
  let proof: VerifiedDpopProof
  try {
    proof = verifyDpopProof(header, {
      method: request.method,
      url: endpointUrl(issuer.credentialIssuer, request.path),
      ...(accessToken !== undefined ? { accessToken } : {}),
      maxAgeSeconds: proofs.proofMaxAgeSeconds,
      isLiveNonce: (nonce) => proofs.nonces.isLive(issuer, 'dpop', nonce),
    })
  } catch (error) {
    if (!(error instanceof DpopProofError)) throw error
    const code = error.reason === 'nonce' ? 'use_dpop_nonce' : 'invalid_dpop_proof'
    throw await refusal(issuer, proofs, where, code, error.message)
  }
  const id = createHash('sha256').update(`${proof.jkt}:${proof.jti}`).digest('base64url')
  if (!(await proofs.replay.firstUse(`dpop:${issuer.profile.issuerId}:${id}`, replayTtlSeconds(proofs)))) {
    throw await refusal(issuer, proofs, where, 'invalid_dpop_proof', "This DPoP proof's 'jti' was used before")
  }
  return proof
}

/**
 * The DPoP key a request to the authorization server (token endpoint, PAR) proves, as its JWK
 * thumbprint (the `cnf.jkt` its tokens are bound to); undefined when it sends no proof and the
 * issuer does not require DPoP. Refusals: 400 `invalid_dpop_proof` (with `DPoP-Nonce`), 400
 * `use_dpop_nonce` with a fresh nonce in `DPoP-Nonce` (RFC 9449 §8).
 */
export async function dpopKeyOfRequest(
  issuer: ResolvedIssuer,
  request: ProofRequest,
  proofs: SenderProofs,
): Promise<string | undefined> {
  if (request.headers.dpop === undefined) {
    if (dpopOf(issuer.profile) === 'optional') return undefined
    throw await refusal(
      issuer,
      proofs,
      'authorization-server',
      'invalid_dpop_proof',
      'This issuer requires DPoP: send a DPoP proof',
    )
  }
  return (await checkProof(issuer, request, proofs, 'authorization-server')).jkt
}

/**
 * The check of a DPoP-bound access token at the credential, deferred credential and notification
 * endpoints (RFC 9449 §7): the request's proof, with `ath` of the token, signed by the bound key.
 * 401 `invalid_dpop_proof` / `use_dpop_nonce` with a `WWW-Authenticate: DPoP` challenge, or
 * `invalid_token` when the proof's key is not the token's.
 */
export function dpopTokenCheck(proofs: SenderProofs): DpopTokenCheck {
  return async (issuer, request, token, jkt) => {
    const proof = await checkProof(issuer, request, proofs, 'resource', token)
    if (proof.jkt !== jkt) {
      throw await refusal(
        issuer,
        proofs,
        'resource',
        'invalid_token',
        'The DPoP proof is not signed by the key this access token is bound to',
      )
    }
  }
}
