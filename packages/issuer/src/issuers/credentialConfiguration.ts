import { HttpError, isSafeString } from '@attesto/agent-runtime'
import { z } from 'zod'

const locale = z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP 47 language tag, like en or fr-CA')
const color = z.string().regex(/^#[0-9A-Fa-f]{6}$/, 'a colour as #RRGGBB')
const logo = z.strictObject({ uri: z.url(), alt_text: z.string().max(200).optional() })

/** How a wallet shows a name, per locale (OID4VCI 1.0 `display`). */
export const displayInput = z
  .array(
    z.strictObject({
      name: z.string().min(1).max(200),
      locale: locale.optional(),
      description: z.string().max(1000).optional(),
      logo: logo.optional(),
      background_color: color.optional(),
      text_color: color.optional(),
    }),
  )
  .min(1)
  .max(20)

export type Display = z.output<typeof displayInput>

/** A year: how long a credential is valid unless the configuration or the offer says otherwise. */
export const DEFAULT_CREDENTIAL_VALIDITY_SECONDS = 365 * 24 * 3600

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
  'prototype',
  ...Object.getOwnPropertyNames(Object.prototype),
])

const claimName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'letters, digits and _, not starting with a digit')
  .refine((name) => !RESERVED_CLAIM_NAMES.has(name), 'reserved name (a registered SD-JWT VC claim or built-in)')

/** A credential configuration as the API takes it: an SD-JWT VC type and its claims. */
export const credentialConfigurationInput = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and -, at most 64'),
  vct: z.url(),
  /**
   * Issued later: the wallet's credential request gets a deferred answer until the claims are
   * approved through `PUT /offers/{offerId}/claims` (unless the offer already carried them).
   */
  deferred: z.boolean().default(false),
  /** How long an issued credential is valid (its `exp`), unless the offer sets an earlier end. */
  validitySeconds: z
    .number()
    .int()
    .min(60)
    .max(50 * 365 * 24 * 3600)
    .default(DEFAULT_CREDENTIAL_VALIDITY_SECONDS),
  /** The credential's name, description, logo and colours in wallets, per locale. */
  display: displayInput.optional(),
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
        display: z
          .array(z.strictObject({ name: z.string().min(1).max(200), locale: locale.optional() }))
          .max(20)
          .optional(),
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

/** A real calendar day, 0001-01-01 to 9999-12-31 (no 2024-02-31, no year 0). */
function isDate(value: unknown): boolean {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || value.startsWith('0000')) return false
  const day = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === value
}

/** One claim of an offer that does not fit its configuration. */
export interface ClaimProblem {
  claim: string
  code: 'claim_unknown' | 'claim_missing' | 'claim_invalid'
  message: string
}

/** Every claim of an offer that does not fit the configuration: unknown, missing or of the wrong type. */
export function claimProblems(configuration: CredentialConfiguration, claims: Record<string, unknown>): ClaimProblem[] {
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
  if (problems.length === 1) throw new HttpError(400, first.code, first.message)
  throw new HttpError(
    400,
    'claims_invalid',
    `${problems.length} claims do not fit credential configuration '${configuration.id}': ${problems.map((problem) => problem.message).join('; ')}`,
    problems,
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
      throw new HttpError(
        400,
        'invalid_validity',
        'credentialValidUntil must be later than now and than credentialValidFrom',
      )
    }
    if (expiresAt > now + validitySeconds + 86_400) {
      throw new HttpError(
        400,
        'invalid_validity',
        `credentialValidUntil may not exceed the configuration's validity (${validitySeconds} s from issuance)`,
      )
    }
  }
  return { ...(notBefore !== undefined ? { notBefore } : {}), ...(expiresAt !== undefined ? { expiresAt } : {}) }
}
