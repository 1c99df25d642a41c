import { DomainError } from '@attesto/protocol-kit'
import { z } from 'zod'
import { type ClaimProblem, DEFAULT_CREDENTIAL_VALIDITY_SECONDS } from './configurationParts.js'
import { type MdocConfiguration, mdocClaimProblems, mdocConfigurationInput } from './mdocConfiguration.js'
import { type SdJwtVcConfiguration, sdJwtVcClaimProblems, sdJwtVcConfigurationInput } from './sdJwtVcConfiguration.js'

export { DEFAULT_CREDENTIAL_VALIDITY_SECONDS, type Display, displayInput } from './configurationParts.js'
export type { MdocConfiguration } from './mdocConfiguration.js'
export type { SdJwtVcConfiguration } from './sdJwtVcConfiguration.js'

/**
 * A credential configuration as the API takes it, by `format`: an SD-JWT VC (`dc+sd-jwt`, the
 * default when `format` is left out; sdJwtVcConfiguration.ts) or an ISO mdoc (`mso_mdoc`;
 * mdocConfiguration.ts).
 */
export const credentialConfigurationInput = z.discriminatedUnion('format', [
  sdJwtVcConfigurationInput,
  mdocConfigurationInput,
])

/** The same without its id (the id is the path parameter): the request body, as OpenAPI documents it. */
export const credentialConfigurationBody = z.discriminatedUnion('format', [
  sdJwtVcConfigurationInput.omit({ id: true }),
  mdocConfigurationInput.omit({ id: true }),
])

export type CredentialConfiguration = SdJwtVcConfiguration | MdocConfiguration

/** Every claim of an offer that does not fit the configuration: unknown, missing or of the wrong type. */
export function claimProblems(configuration: CredentialConfiguration, claims: Record<string, unknown>): ClaimProblem[] {
  return configuration.format === 'mso_mdoc'
    ? mdocClaimProblems(configuration, claims)
    : sdJwtVcClaimProblems(configuration, claims)
}

/**
 * Checks an offer's claims against the configuration and reports every problem at once: one
 * problem is a 400 with its own code (`claim_unknown`, `claim_missing`, `claim_invalid`) naming
 * the claim; several are one `400 claims_invalid` whose message lists them all and whose
 * `details` has one entry per claim.
 */
export function validateClaims(configuration: CredentialConfiguration, claims: Record<string, unknown>): void {
  const problems = claimProblems(configuration, claims)
  const [first] = problems
  if (!first) return
  if (problems.length === 1) throw new DomainError(first.code, first.message)
  throw new DomainError(
    'claims_invalid',
    `${problems.length} claims do not fit credential configuration '${configuration.id}': ${problems.map((problem) => problem.message).join('; ')}`,
    { details: problems },
  )
}

/** A credential's validity window, in epoch seconds. */
export interface CredentialValidity {
  notBefore?: number
  expiresAt?: number
}

/**
 * The validity an offer asks for, checked against its configuration: the end must come after the
 * start and after now, and no later than the configuration's validity from now.
 */
export function credentialValidity(
  configuration: CredentialConfiguration,
  validFrom: string | undefined,
  validUntil: string | undefined,
): CredentialValidity {
  const now = Math.floor(Date.now() / 1000)
  const validitySeconds = configuration.validitySeconds ?? DEFAULT_CREDENTIAL_VALIDITY_SECONDS
  const notBefore = validFrom === undefined ? undefined : Math.floor(Date.parse(validFrom) / 1000)
  const expiresAt = validUntil === undefined ? undefined : Math.floor(Date.parse(validUntil) / 1000)
  if (expiresAt !== undefined) {
    if (expiresAt <= Math.max(now, notBefore ?? now)) {
      throw new DomainError(
        'invalid_validity',
        'credentialValidUntil must be later than now and than credentialValidFrom',
      )
    }
    if (expiresAt > now + validitySeconds + 86_400) {
      throw new DomainError(
        'invalid_validity',
        `credentialValidUntil may not exceed the configuration's validity (${validitySeconds} s from issuance)`,
      )
    }
  }
  return { ...(notBefore !== undefined ? { notBefore } : {}), ...(expiresAt !== undefined ? { expiresAt } : {}) }
}
