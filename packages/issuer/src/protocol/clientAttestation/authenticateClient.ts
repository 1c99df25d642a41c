import { createHash } from 'node:crypto'
import { ProtocolError } from '@attesto/agent-runtime'
import {
  CLIENT_ATTESTATION_HEADER,
  CLIENT_ATTESTATION_POP_HEADER,
  ClientAttestationError,
  verifyClientAttestation,
} from '@attesto/protocol-kit/jose'
import type { Request } from 'express'
import type { ResolvedIssuer } from '../../issuers/IssuerDirectory.js'
import { clientAttestationOf } from '../../issuers/senderConstraints.js'
import { replayTtlSeconds, type SenderProofs } from '../senderProofs.js'

/** How a request to the authorization server authenticated its client. */
export type ClientAuthentication =
  | {
      method: 'attest_jwt_client_auth'
      /** The attestation's `sub`. */
      clientId: string
      /** Thumbprint of the client instance key (`cnf.jwk`): refresh tokens are bound to it. */
      instanceJkt: string
      /** The trusted wallet provider that attested it. */
      walletProvider: string
    }
  | { method: 'none'; clientId?: string }

type AttestedRequest = Pick<Request, 'headers' | 'body'>

const invalidClient = (description: string) => new ProtocolError(400, 'invalid_client', description)

/** The one value of a header; undefined when absent, refused when repeated (draft -07 §5.2: precisely one). */
function single(request: AttestedRequest, name: string): string | undefined {
  const value = request.headers[name]
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value.includes(',')) throw invalidClient(`Send exactly one ${name} header`)
  return value
}

/**
 * Client authentication at the authorization server (token endpoint, PAR): attestation-based
 * (draft-ietf-oauth-attestation-based-client-auth-07, headers `OAuth-Client-Attestation` and
 * `OAuth-Client-Attestation-PoP`) against the tenant's trusted wallet providers, the PoP's `jti`
 * once on any instance, its challenge live if it names one, and a `client_id` parameter, if sent,
 * equal to the attestation's `sub`. Without the headers the client is public (`none`), which an
 * issuer whose `clientAttestation` is `required` refuses. Refusals: 400 `invalid_client`; 400
 * `use_attestation_challenge` with a fresh `OAuth-Client-Attestation-Challenge` for a stale
 * challenge.
 */
export async function authenticateClient(
  issuer: ResolvedIssuer,
  request: AttestedRequest,
  proofs: SenderProofs,
): Promise<ClientAuthentication> {
  const attestation = single(request, CLIENT_ATTESTATION_HEADER)
  const pop = single(request, CLIENT_ATTESTATION_POP_HEADER)
  const clientIdParameter = (request.body as { client_id?: unknown } | undefined)?.client_id
  if (attestation === undefined && pop === undefined) {
    if (clientAttestationOf(issuer.profile) === 'required') {
      throw invalidClient(
        'This issuer requires a wallet attestation: send OAuth-Client-Attestation and OAuth-Client-Attestation-PoP',
      )
    }
    return { method: 'none', ...(typeof clientIdParameter === 'string' ? { clientId: clientIdParameter } : {}) }
  }
  if (attestation === undefined || pop === undefined) {
    throw invalidClient('Send both OAuth-Client-Attestation and OAuth-Client-Attestation-PoP')
  }
  const verified = await verify(issuer, attestation, pop, proofs)
  if (clientIdParameter !== undefined && clientIdParameter !== verified.clientId) {
    throw invalidClient("The client_id parameter must be the wallet attestation's 'sub'")
  }
  const id = createHash('sha256').update(`${verified.instanceJkt}:${verified.jti}`).digest('base64url')
  if (!(await proofs.replay.firstUse(`attestation-pop:${issuer.profile.issuerId}:${id}`, replayTtlSeconds(proofs)))) {
    throw invalidClient("This client attestation PoP's 'jti' was used before")
  }
  return {
    method: 'attest_jwt_client_auth',
    clientId: verified.clientId,
    instanceJkt: verified.instanceJkt,
    walletProvider: verified.attester,
  }
}

async function verify(issuer: ResolvedIssuer, attestation: string, pop: string, proofs: SenderProofs) {
  try {
    return await verifyClientAttestation(attestation, pop, {
      audience: issuer.credentialIssuer,
      maxAgeSeconds: proofs.proofMaxAgeSeconds,
      attesterKey: proofs.walletProviders.attesterKey(issuer.tenantId, issuer.tenantContext),
      isLiveChallenge: (challenge) => proofs.nonces.isLive(issuer, 'attestation-challenge', challenge),
    })
  } catch (error) {
    if (!(error instanceof ClientAttestationError)) throw error
    if (error.reason === 'challenge') {
      throw new ProtocolError(
        400,
        'use_attestation_challenge',
        error.message,
        {},
        {
          'OAuth-Client-Attestation-Challenge': await proofs.nonces.nonce(issuer, 'attestation-challenge'),
        },
      )
    }
    throw invalidClient(error.message)
  }
}
