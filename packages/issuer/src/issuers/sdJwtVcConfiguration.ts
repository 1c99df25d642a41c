import { isSafeString } from '@attesto/agent-runtime'
import { z } from 'zod'
import {
  BUILT_IN_NAMES,
  type ClaimProblem,
  claimDisplayInput,
  configurationIdInput,
  displayInput,
  isDate,
  namesAreUnique,
  scopeInput,
  validitySecondsInput,
} from './configurationParts.js'
import { keyAttestationsRequiredInput } from './keyAttestationRequirement.js'

/**
 * Claim names an offer can never carry: the SD-JWT VC claims the issuer sets itself (RFC 9901,
 * SD-JWT VC §3.2.2; `sub` stays allowed, it is the subject the issuer may state), and the
 * names of JavaScript's built-in object properties (`constructor`, `__proto__`, `toString`, …).
 */
export const RESERVED_CLAIM_NAMES: ReadonlySet<string> = new Set([
  'iss',
  'iat',
  'nbf',
  'exp',
  'aud',
  'jti',
  'vct',
  'cnf',
  'status',
  '_sd',
  '_sd_alg',
  ...BUILT_IN_NAMES,
])

const claimName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'letters, digits and _, not starting with a digit')
  .refine((name) => !RESERVED_CLAIM_NAMES.has(name), 'reserved name (a registered SD-JWT VC claim or built-in)')

/** A credential configuration of an SD-JWT VC (`dc+sd-jwt`, the default format): its type and claims. */
export const sdJwtVcConfigurationInput = z.strictObject({
  id: configurationIdInput,
  /** Absent on configurations stored before mdoc configurations existed, and when the caller leaves it out. */
  format: z.literal('dc+sd-jwt').optional(),
  vct: z.url(),
  /**
   * Issued later: the wallet's credential request gets a deferred answer until the claims are
   * approved through `PUT /offers/{offerId}/claims` (unless the offer already carried them).
   */
  deferred: z.boolean().default(false),
  /** How long an issued credential is valid (its `exp`), unless the offer sets an earlier end. */
  validitySeconds: validitySecondsInput,
  /** The scope value that selects this configuration in the authorization code flow; default its id. */
  scope: scopeInput,
  /** The credential's name, description, logo and colours in wallets, per locale. */
  display: displayInput.optional(),
  /** Key attestations required of the wallet (OID4VCI 1.0 Appendix D), and the levels accepted. */
  keyAttestationsRequired: keyAttestationsRequiredInput,
  /**
   * Every credential carries a status list entry (`status.status_list`), so it can be revoked
   * (docs/REVOCATION.md). Default for new configurations; ones stored before it existed are not.
   */
  revocable: z.boolean().default(true),
  /** Suspension too (2 bits per entry instead of 1): a suspended credential can be reinstated. */
  suspendable: z.boolean().default(true),
  claims: z
    .array(
      z.strictObject({
        name: claimName,
        type: z.enum(['string', 'number', 'boolean', 'date']),
        required: z.boolean().default(false),
        selectivelyDisclosable: z.boolean().default(true),
        /** The claim's label in wallets, per locale. */
        display: claimDisplayInput.optional(),
      }),
    )
    .min(1)
    .max(100)
    .refine(namesAreUnique, 'claim names must be unique'),
})

export type SdJwtVcConfiguration = z.output<typeof sdJwtVcConfigurationInput>

/** Every claim of an SD-JWT VC offer that does not fit the configuration: unknown, missing or of the wrong type. */
export function sdJwtVcClaimProblems(
  configuration: SdJwtVcConfiguration,
  claims: Record<string, unknown>,
): ClaimProblem[] {
  const problems: ClaimProblem[] = []
  const known = new Map(configuration.claims.map((claim) => [claim.name, claim]))
  for (const name of Object.keys(claims)) {
    if (!known.has(name)) {
      problems.push({
        claim: name,
        code: 'claim_unknown',
        message: `Claim '${name}' is not defined in credential configuration '${configuration.id}'`,
      })
    }
  }
  for (const claim of configuration.claims) {
    // Own properties only: a missing `constructor` claim is missing, not Object.
    const value = Object.hasOwn(claims, claim.name) ? claims[claim.name] : undefined
    if (value === undefined || value === null) {
      if (claim.required) {
        problems.push({ claim: claim.name, code: 'claim_missing', message: `Claim '${claim.name}' is required` })
      }
      continue
    }
    const ok =
      claim.type === 'date'
        ? isDate(value)
        : claim.type === 'number'
          ? Number.isFinite(value)
          : claim.type === 'string'
            ? typeof value === 'string' && isSafeString(value)
            : typeof value === claim.type
    if (!ok) {
      const expected =
        claim.type === 'date'
          ? 'a date (YYYY-MM-DD)'
          : claim.type === 'string'
            ? 'a string without NUL characters or lone surrogates'
            : `a ${claim.type}`
      problems.push({ claim: claim.name, code: 'claim_invalid', message: `Claim '${claim.name}' must be ${expected}` })
    }
  }
  return problems
}
