import { type Agent, Kms } from '@credo-ts/core'
import type { OpenId4VciCredentialBindingOptions, OpenId4VciCredentialBindingResolver } from '@credo-ts/openid4vc'
import { HolderWalletError } from '../errors/HolderWalletError.js'

/** What the app's key attestation provider is asked to attest: the keys the wallet made for one credential request. */
export interface KeyAttestationRequest {
  credentialIssuer: string
  credentialConfigurationId: string
  /** The public JWKs (each with its `kid`) of the new keys: the attestation's `attested_keys` must be these JWKs as given. */
  keys: Record<string, unknown>[]
  /** The issuer's `c_nonce`: an attestation that carries it as `nonce` is sent as an `attestation` proof. */
  nonce: string
  /** What the issuer requires of the keys (`key_attestations_required`), when it requires an attestation. */
  required?: { keyStorage?: string[]; userAuthentication?: string[] }
}

/**
 * Supplies a key attestation JWT (OID4VCI 1.0 Appendix D, `key-attestation+jwt`) for the keys a
 * credential will be bound to, or `undefined` to send plain `jwt` proofs (when the issuer does not
 * require an attestation).
 */
export type KeyAttestationHook = (request: KeyAttestationRequest) => Promise<string | undefined> | string | undefined

/** How many instances of a credential the wallet asks for when the issuer batches and the app does not say. */
export const DEFAULT_MAX_INSTANCES = 10

export interface CredentialBindingOptions {
  /** Instances to ask for (capped at the issuer's `batch_size`); default: the batch size, at most {@link DEFAULT_MAX_INSTANCES}. */
  instances?: number
  keyAttestation?: KeyAttestationHook
}

/** How many keys (instances) to ask for, given the issuer's batch size. */
export function instancesToRequest(issuerMaxBatchSize: number, instances?: number): number {
  if (instances !== undefined && (!Number.isInteger(instances) || instances < 1)) {
    throw new HolderWalletError('invalid_options', 'instances must be a positive whole number')
  }
  return Math.max(1, Math.min(issuerMaxBatchSize, instances ?? DEFAULT_MAX_INSTANCES))
}

/**
 * Credo's binding resolver for one issuance: for each credential, as many new P-256 keys of the
 * wallet as instances are asked for (one credential per key: a batch, OID4VCI 1.0 §8.2), bound by
 * `jwt` proofs, or by the key attestation the app's hook gives for them (`sent.keyAttestation`
 * then says so, for the error of a refusal).
 */
export function credentialBinding(
  agent: Agent,
  options: CredentialBindingOptions,
  sent: { keyAttestation: boolean } = { keyAttestation: false },
): OpenId4VciCredentialBindingResolver {
  return async (binding: OpenId4VciCredentialBindingOptions) => {
    const count = instancesToRequest(binding.issuerMaxBatchSize, options.instances)
    const created = await Promise.all(
      Array.from({ length: count }, () => agent.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })),
    )
    const keys = created.map((key) => Kms.PublicJwk.fromPublicJwk(key.publicJwk))
    const required =
      binding.proofTypes.jwt?.keyAttestationsRequired ?? binding.proofTypes.attestation?.keyAttestationsRequired
    const keyAttestationJwt = await options.keyAttestation?.({
      credentialIssuer: binding.metadata.credentialIssuer.credential_issuer,
      credentialConfigurationId: binding.credentialConfigurationId,
      keys: created.map((key) => ({ ...key.publicJwk, kid: key.keyId })),
      nonce: binding.cNonce,
      ...(required ? { required } : {}),
    })
    if (keyAttestationJwt) {
      sent.keyAttestation = true
      return { method: 'attestation', keyAttestationJwt }
    }
    if (required) {
      throw new HolderWalletError(
        'unsupported_offer',
        'The issuer requires a key attestation for this credential: give acceptOffer a keyAttestation hook',
        { details: { credentialConfigurationId: binding.credentialConfigurationId, required } },
      )
    }
    return { method: 'jwk', keys }
  }
}
