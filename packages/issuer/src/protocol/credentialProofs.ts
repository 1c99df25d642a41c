import { ProtocolError } from '@attesto/agent-runtime'
import type { HolderBinding } from '../issuance/IssuanceSession.js'
import { batchSizeOf } from '../issuers/batchIssuance.js'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import { verifyProof } from './verifyProof.js'

/** The proofs of a credential request: `proofs.jwt` (OID4VCI 1.0), or draft 13's single `proof`. */
export interface RequestedProofs {
  proof?: { jwt: string }
  proofs?: { jwt: string[] }
}

const invalidRequest = (description: string) => new ProtocolError(400, 'invalid_credential_request', description)

/** The request's proof JWTs, at least one and at most the issuer's batch size. */
function proofsOf(input: RequestedProofs, batchSize: number): string[] {
  if (input.proof && input.proofs) throw invalidRequest("Send either 'proof' or 'proofs', not both")
  const proofs = input.proofs?.jwt ?? (input.proof ? [input.proof.jwt] : [])
  if (proofs.length === 0) throw new ProtocolError(400, 'invalid_proof', 'A proof of possession (jwt) is required')
  if (proofs.length > batchSize) {
    throw invalidRequest(
      batchSize === 1
        ? 'This issuer does not issue batches: send one proof, one credential per request'
        : `At most ${batchSize} proofs per request (batch_credential_issuance.batch_size); this one has ${proofs.length}`,
    )
  }
  return proofs
}

/**
 * The holder keys a credential request proves possession of, one credential each (OID4VCI 1.0
 * §8.2, batch issuance): up to the issuer's batch size of proofs, each checked (verifyProof.ts;
 * the first refused one is named in the answer), and no key twice: the credentials of a batch
 * exist so that presentations of them cannot be linked, which a shared key would undo.
 */
export function provenHolderKeys(
  issuer: ResolvedIssuer,
  input: RequestedProofs,
  maxClockSkewSeconds: number,
): HolderBinding[] {
  const proofs = proofsOf(input, batchSizeOf(issuer.profile))
  const seen = new Set<string>()
  return proofs.map((proof, index) => {
    const where = proofs.length > 1 ? `proofs.jwt[${index}]: ` : ''
    let verified: ReturnType<typeof verifyProof>
    try {
      verified = verifyProof(issuer, proof, maxClockSkewSeconds)
    } catch (error) {
      if (!(error instanceof ProtocolError) || !where) throw error
      throw new ProtocolError(error.status, error.error, `${where}${error.message}`, error.extra)
    }
    const key = verified.key.export({ type: 'spki', format: 'der' }).toString('base64')
    if (seen.has(key)) {
      throw new ProtocolError(
        400,
        'invalid_proof',
        `${where}its key is the key of an earlier proof: each credential of a batch needs a key of its own`,
      )
    }
    seen.add(key)
    return verified.binding
  })
}
