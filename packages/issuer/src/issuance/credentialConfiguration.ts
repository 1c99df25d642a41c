import { HttpError } from '@attesto/agent-runtime'
import { z } from 'zod'

const claimName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'letters, digits and _, not starting with a digit')

/** A credential configuration as the API takes it: an SD-JWT VC type and its claims. */
export const credentialConfigurationInput = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and -, at most 64'),
  vct: z.url(),
  /**
   * Issued later: the wallet's credential request gets a deferred answer until the claims are
   * approved through `PUT /offers/{offerId}/claims` (unless the offer already carried them).
   */
  deferred: z.boolean().default(false),
  /**
   * Every credential carries a status list entry (`status.status_list`), so it can be revoked
   * (docs/REVOCATION.md). Default for new configurations; ones stored before it existed are not.
   */
  revocable: z.boolean().default(true),
  /** Suspension too (2 bits per entry instead of 1): a suspended credential can be reinstated. */
  suspendable: z.boolean().default(true),
  claims: z
    .array(
      z.object({
        name: claimName,
        type: z.enum(['string', 'number', 'boolean', 'date']),
        required: z.boolean().default(false),
        selectivelyDisclosable: z.boolean().default(true),
      }),
    )
    .min(1)
    .max(100)
    .refine(
      (claims) => new Set(claims.map((claim) => claim.name)).size === claims.length,
      'claim names must be unique',
    ),
})

export type CredentialConfiguration = z.output<typeof credentialConfigurationInput>

const isDate = (value: unknown) =>
  typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value))

/**
 * Checks an offer's claims against the configuration. The first problem becomes a 400 that
 * names the claim: unknown, missing or of the wrong type.
 */
export function validateClaims(configuration: CredentialConfiguration, claims: Record<string, unknown>): void {
  const known = new Map(configuration.claims.map((claim) => [claim.name, claim]))
  for (const name of Object.keys(claims)) {
    if (!known.has(name)) {
      throw new HttpError(
        400,
        'claim_unknown',
        `Claim '${name}' is not defined in credential configuration '${configuration.id}'`,
      )
    }
  }
  for (const claim of configuration.claims) {
    const value = claims[claim.name]
    if (value === undefined || value === null) {
      if (claim.required) throw new HttpError(400, 'claim_missing', `Claim '${claim.name}' is required`)
      continue
    }
    const ok =
      claim.type === 'date'
        ? isDate(value)
        : claim.type === 'number'
          ? Number.isFinite(value)
          : typeof value === claim.type
    if (!ok) {
      const expected = claim.type === 'date' ? 'a date (YYYY-MM-DD)' : `a ${claim.type}`
      throw new HttpError(400, 'claim_invalid', `Claim '${claim.name}' must be ${expected}`)
    }
  }
}
