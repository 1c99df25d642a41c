import type { ProtocolError } from '@attesto/agent-runtime'
import { keyAttestationsRequiredInput } from '../../../issuers/keyAttestationRequirement.js'
import { checkKeyAttestationLevels } from '../keyAttestationLevels.js'
import type { VerifiedKeyAttestation } from '../verifyKeyAttestation.js'

// Matching an attestation's levels against `key_attestations_required` (OID4VCI 1.0 §12.2.4,
// Appendix D.2): any one accepted value suffices, no order is implied, ecosystem URLs match exactly.

const attestation = (keyStorage: string[], userAuthentication: string[] = []): VerifiedKeyAttestation => ({
  keys: [],
  keyStorage,
  userAuthentication,
  walletProvider: 'example',
})

const refusal = (run: () => void): string | undefined => {
  try {
    run()
    return undefined
  } catch (error) {
    return `${(error as ProtocolError).error}: ${(error as ProtocolError).message}`
  }
}

describe('key attestation levels', () => {
  const moderateOrBetter = keyAttestationsRequiredInput.parse({
    keyStorage: ['iso_18045_high', 'iso_18045_moderate'],
  }) as NonNullable<ReturnType<typeof keyAttestationsRequiredInput.parse>>

  it('accepts an attestation naming any accepted value, among others', () => {
    expect(refusal(() => checkKeyAttestationLevels(attestation(['iso_18045_moderate']), moderateOrBetter))).toBe(
      undefined,
    )
    expect(
      refusal(() => checkKeyAttestationLevels(attestation(['iso_18045_basic', 'iso_18045_high']), moderateOrBetter)),
    ).toBe(undefined)
    // user_authentication is not required here: whatever the attestation says of it is fine.
    expect(refusal(() => checkKeyAttestationLevels(attestation(['iso_18045_high'], []), moderateOrBetter))).toBe(
      undefined,
    )
  })

  it('implies no order: an unlisted level is refused even if it reads higher', () => {
    const moderateOnly = { keyStorage: ['iso_18045_moderate'] }
    expect(refusal(() => checkKeyAttestationLevels(attestation(['iso_18045_high']), moderateOnly))).toBe(
      "invalid_proof: The key attestation's key_storage (iso_18045_high) does not meet this credential's requirement, which accepts iso_18045_moderate",
    )
  })

  it('names a missing level, and matches ecosystem URLs exactly', () => {
    const ecosystem = { userAuthentication: ['https://ecosystem.example/ua/strong'] }
    expect(refusal(() => checkKeyAttestationLevels(attestation(['iso_18045_high']), ecosystem))).toBe(
      'invalid_proof: The key attestation names no user_authentication: this credential requires one of https://ecosystem.example/ua/strong',
    )
    expect(
      refusal(() => checkKeyAttestationLevels(attestation([], ['https://ecosystem.example/ua/strong/']), ecosystem)),
    ).toMatch(/user_authentication \(https:\/\/ecosystem.example\/ua\/strong\/\) does not meet/)
    expect(
      refusal(() => checkKeyAttestationLevels(attestation([], ['https://ecosystem.example/ua/strong']), ecosystem)),
    ).toBe(undefined)
  })

  it('takes only the specification vocabulary or URLs in a configuration', () => {
    for (const keyStorage of [['iso_18045_medium'], ['ISO_18045_HIGH'], [], ['iso_18045_high', 'iso_18045_high']]) {
      expect(keyAttestationsRequiredInput.safeParse({ keyStorage }).success).toBe(false)
    }
    expect(keyAttestationsRequiredInput.safeParse({}).success).toBe(true)
    expect(keyAttestationsRequiredInput.safeParse({ keyStorage: ['iso_18045_enhanced-basic'] }).success).toBe(true)
  })
})
