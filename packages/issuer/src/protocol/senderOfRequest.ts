import type { Request } from 'express'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import { authenticateClient } from './clientAttestation/authenticateClient.js'
import { dpopKeyOfRequest } from './dpop/dpopProofs.js'
import type { TokenSender } from './issuerTokens.js'
import type { SenderProofs } from './senderProofs.js'

/**
 * Who a request to the authorization server (token endpoint, PAR) comes from: its client,
 * authenticated by wallet attestation or public as the issuer allows, then its DPoP key, as the
 * issuer requires (docs/AUTHORIZATION.md). The tokens made for it are bound to both
 * (`accessToken`, `refreshToken`); refused requests answer the OAuth errors of each check.
 */
export async function senderOfRequest(
  issuer: ResolvedIssuer,
  request: Pick<Request, 'headers' | 'method' | 'path' | 'body'>,
  proofs: SenderProofs,
): Promise<TokenSender> {
  const client = await authenticateClient(issuer, request, proofs)
  const jkt = await dpopKeyOfRequest(issuer, request, proofs)
  return {
    ...(jkt ? { jkt } : {}),
    ...(client.method === 'attest_jwt_client_auth'
      ? { client: { clientId: client.clientId, instanceJkt: client.instanceJkt } }
      : {}),
  }
}
