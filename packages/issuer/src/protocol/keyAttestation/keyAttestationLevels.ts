import { ProtocolError } from '@attesto/agent-runtime'
import type { KeyAttestationRequirement } from '../../issuers/keyAttestationRequirement.js'
import type { VerifiedKeyAttestation } from './verifyKeyAttestation.js'

function checkLevel(asserted: string[], accepted: string[] | undefined, name: string) {
  if (!accepted) return
  if (asserted.length === 0) {
    throw new ProtocolError(
      400,
      'invalid_proof',
      `The key attestation names no ${name}: this credential requires one of ${accepted.join(', ')}`,
    )
  }
  if (!asserted.some((level) => accepted.includes(level))) {
    throw new ProtocolError(
      400,
      'invalid_proof',
      `The key attestation's ${name} (${asserted.join(', ')}) does not meet this credential's requirement, which accepts ${accepted.join(', ')}`,
    )
  }
}

/**
 * Whether a key attestation meets a configuration's `key_attestations_required` (OID4VCI 1.0
 * §12.2.4): for `key_storage` and `user_authentication` each, when required, the attestation
 * asserts at least one of the accepted values. Throws `invalid_proof` naming the shortfall.
 */
export function checkKeyAttestationLevels(
  attestation: VerifiedKeyAttestation,
  requirement: KeyAttestationRequirement,
): void {
  checkLevel(attestation.keyStorage, requirement.keyStorage, 'key_storage')
  checkLevel(attestation.userAuthentication, requirement.userAuthentication, 'user_authentication')
}
