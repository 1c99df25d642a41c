import { z } from 'zod'

/**
 * The attack potential resistance values of OID4VCI 1.0 Appendix D.2 (ISO/IEC 18045): VAN.5,
 * VAN.4, VAN.3 and VAN.2. The specification orders nothing: an issuer lists every value it accepts.
 */
export const ISO_18045_LEVELS = [
  'iso_18045_high',
  'iso_18045_moderate',
  'iso_18045_enhanced-basic',
  'iso_18045_basic',
] as const

/** One accepted value: an ISO 18045 level, or an ecosystem's own value as a URL (Appendix D.2). */
const levelInput = z.union([z.enum(ISO_18045_LEVELS), z.url().max(500)])

const acceptedLevels = (what: string) =>
  z
    .array(levelInput)
    .min(1)
    .max(20)
    .refine((levels) => new Set(levels).size === levels.length, 'each value once')
    .optional()
    .meta({
      description: `The ${what} values a key attestation may name, any one of which is accepted (OID4VCI 1.0 Appendix D.2: iso_18045_high, iso_18045_moderate, iso_18045_enhanced-basic, iso_18045_basic, or an ecosystem URL). No order is implied: to accept moderate or better, list iso_18045_high and iso_18045_moderate`,
    })

/**
 * That a credential's keys must be attested (OID4VCI 1.0 Appendix D, metadata
 * `key_attestations_required`): every credential request then carries a key attestation from one
 * of the tenant's wallet providers, in a `jwt` proof's `key_attestation` header or as an
 * `attestation` proof, and the credentials are bound to the attested keys. `{}` requires an
 * attestation with no constraint on its levels.
 */
export const keyAttestationsRequiredInput = z
  .strictObject({
    keyStorage: acceptedLevels('key_storage'),
    userAuthentication: acceptedLevels('user_authentication'),
  })
  .meta({
    description:
      "Require key attestations (OID4VCI 1.0 Appendix D) signed by one of the tenant's wallet providers: the credentials are bound to the attested keys. {} requires an attestation with no constraint on its levels; left out, none is required",
  })
  .optional()

export type KeyAttestationRequirement = NonNullable<z.output<typeof keyAttestationsRequiredInput>>

/** The requirement as the issuer metadata states it (`key_attestations_required`). */
export function keyAttestationsRequiredMetadata(requirement: KeyAttestationRequirement) {
  return {
    ...(requirement.keyStorage ? { key_storage: requirement.keyStorage } : {}),
    ...(requirement.userAuthentication ? { user_authentication: requirement.userAuthentication } : {}),
  }
}
