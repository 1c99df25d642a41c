import { ProtocolError } from '@attesto/agent-runtime'
import type { HolderBinding } from '../issuance/IssuanceSession.js'
import { batchSizeOf } from '../issuers/batchIssuance.js'
import type { CredentialConfiguration } from '../issuers/credentialConfiguration.js'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import { checkKeyAttestationLevels } from './keyAttestation/keyAttestationLevels.js'
import {
  type AttestedKey,
  type KeyAttestationChecks,
  type KeyAttestationUse,
  verifyKeyAttestation,
} from './keyAttestation/verifyKeyAttestation.js'
import { verifyProof } from './verifyProof.js'

/**
 * The proofs of a credential request (OID4VCI 1.0 §8.2, Appendix F): `proofs.jwt`, or
 * `proofs.attestation` (one key attestation, no proof of possession), or draft 13's single `proof`.
 */
export interface RequestedProofs {
  proof?: { jwt: string }
  proofs?: { jwt?: string[] | undefined; attestation?: string[] | undefined }
}

/** What checking a request's proofs needs: the clock skew allowed, the tenants' wallet providers. */
export type ProofChecks = KeyAttestationChecks

const invalidRequest = (description: string) => new ProtocolError(400, 'invalid_credential_request', description)
const invalidProof = (description: string) => new ProtocolError(400, 'invalid_proof', description)

const tooMany = (batchSize: number, count: number, what: string) =>
  batchSize === 1
    ? `This issuer does not issue batches: send ${what === 'proofs' ? 'one proof' : 'one attested key'}, one credential per request`
    : `At most ${batchSize} ${what} per request (batch_credential_issuance.batch_size); this one has ${count}`

/** The request's proof JWTs, at least one and at most the issuer's batch size. */
function proofsOf(input: RequestedProofs, batchSize: number): string[] {
  if (input.proof && input.proofs) throw invalidRequest("Send either 'proof' or 'proofs', not both")
  const proofs = input.proofs?.jwt ?? (input.proof ? [input.proof.jwt] : [])
  if (proofs.length === 0) throw invalidProof('A proof of possession (jwt) or a key attestation is required')
  if (proofs.length > batchSize) throw invalidRequest(tooMany(batchSize, proofs.length, 'proofs'))
  return proofs
}

/** Runs `check`, naming the proof (`proofs.jwt[1]: …`) in what it refuses when there are several. */
async function naming<T>(where: string, check: () => T | Promise<T>): Promise<T> {
  try {
    return await check()
  } catch (error) {
    if (!(error instanceof ProtocolError) || !where) throw error
    throw new ProtocolError(error.status, error.error, `${where}${error.message}`, error.extra)
  }
}

const spki = (entry: AttestedKey) => entry.key.export({ type: 'spki', format: 'der' }).toString('base64')

/** A key attestation's keys, once it meets the configuration's levels. */
async function attested(
  issuer: ResolvedIssuer,
  configuration: CredentialConfiguration,
  jwt: unknown,
  use: KeyAttestationUse,
  checks: ProofChecks,
): Promise<AttestedKey[]> {
  const attestation = await verifyKeyAttestation(issuer, jwt, use, checks)
  if (configuration.keyAttestationsRequired)
    checkKeyAttestationLevels(attestation, configuration.keyAttestationsRequired)
  return attestation.keys
}

/**
 * A `jwt` proof's keys: the proof's own key; or, with a `key_attestation` header, every key it
 * attests, the proof's among them (Appendix F.1: the issuer issues a credential per attested key).
 */
async function jwtProofKeys(
  issuer: ResolvedIssuer,
  configuration: CredentialConfiguration,
  proof: string,
  checks: ProofChecks,
): Promise<AttestedKey[]> {
  const verified = verifyProof(issuer, proof, checks.maxClockSkewSeconds)
  if (verified.keyAttestation === undefined) {
    if (configuration.keyAttestationsRequired) {
      throw invalidProof(
        "This credential requires a key attestation: send it in the proof's 'key_attestation' header, or as an attestation proof",
      )
    }
    return [{ key: verified.key, binding: verified.binding }]
  }
  const keys = await attested(issuer, configuration, verified.keyAttestation, 'jwt', checks)
  if (!keys.some((entry) => entry.key.equals(verified.key))) {
    throw invalidProof("The proof is not signed by a key that its key attestation attests ('attested_keys')")
  }
  return keys
}

/** The keys of the request's proofs, each checked: the first refused proof is named in the answer. */
async function provenKeys(
  issuer: ResolvedIssuer,
  configuration: CredentialConfiguration,
  input: RequestedProofs,
  checks: ProofChecks,
): Promise<(AttestedKey & { where: string })[]> {
  const attestations = input.proofs?.attestation
  if (attestations !== undefined) {
    if (input.proofs?.jwt !== undefined || input.proof) {
      throw invalidRequest("Send one proof type: 'proofs.jwt' or 'proofs.attestation', not both")
    }
    if (attestations.length !== 1) throw invalidProof("'proofs.attestation' must hold exactly one key attestation")
    const keys = await attested(issuer, configuration, attestations[0], 'attestation', checks)
    return keys.map((entry, index) => ({ ...entry, where: `attested_keys[${index}]: ` }))
  }
  const proofs = proofsOf(input, batchSizeOf(issuer.profile))
  const keys: (AttestedKey & { where: string })[] = []
  for (const [index, proof] of proofs.entries()) {
    const where = proofs.length > 1 ? `proofs.jwt[${index}]: ` : ''
    const proven = await naming(where, () => jwtProofKeys(issuer, configuration, proof, checks))
    keys.push(...proven.map((entry) => ({ ...entry, where })))
  }
  return keys
}

/**
 * The holder keys a credential request proves, one credential each (OID4VCI 1.0 §8.2, batch
 * issuance): up to the issuer's batch size of `jwt` proofs (verifyProof.ts), or the keys of a key
 * attestation (Appendix D, keyAttestation/) in a proof's header or as the `attestation` proof,
 * which a configuration with `keyAttestationsRequired` demands. No key twice: the credentials of
 * a batch exist so that presentations of them cannot be linked, which a shared key would undo.
 */
export async function provenHolderKeys(
  issuer: ResolvedIssuer,
  configuration: CredentialConfiguration,
  input: RequestedProofs,
  checks: ProofChecks,
): Promise<HolderBinding[]> {
  const keys = await provenKeys(issuer, configuration, input, checks)
  const batchSize = batchSizeOf(issuer.profile)
  if (keys.length > batchSize) throw invalidProof(tooMany(batchSize, keys.length, 'keys'))
  const seen = new Set<string>()
  return keys.map((entry) => {
    const key = spki(entry)
    if (seen.has(key)) {
      throw invalidProof(
        `${entry.where}its key is an earlier key of this request: each credential needs a key of its own`,
      )
    }
    seen.add(key)
    return entry.binding
  })
}
