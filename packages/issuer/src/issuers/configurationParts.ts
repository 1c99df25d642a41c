import { z } from 'zod'

/** What every credential configuration has, whatever its format: its id, display, validity, claim labels. */

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

/** A claim's (or data element's) label in wallets, per locale. */
export const claimDisplayInput = z
  .array(z.strictObject({ name: z.string().min(1).max(200), locale: locale.optional() }))
  .max(20)

/** A configuration id: the path parameter of `PUT /issuers/{issuerId}/credential-configurations/{id}`. */
export const configurationIdInput = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and -, at most 64')

/**
 * The OAuth `scope` value a wallet asks for this configuration with in the authorization code flow
 * (OID4VCI 1.0 §5.1.2, HAIP §4.3: one credential type per scope value). Defaults to the
 * configuration id ({@link scopeOf}).
 */
export const scopeInput = z
  .string()
  .regex(/^[A-Za-z0-9_.:/-]{1,128}$/, 'letters, digits, _ . : / and -, at most 128 (one scope token)')
  .optional()

/** The scope of a configuration: its own, or its id. */
export const scopeOf = (configuration: { id: string; scope?: string | undefined }) =>
  configuration.scope ?? configuration.id

/** A year: how long a credential is valid unless the configuration or the offer says otherwise. */
export const DEFAULT_CREDENTIAL_VALIDITY_SECONDS = 365 * 24 * 3600

/** How long an issued credential is valid, unless the offer sets an earlier end. */
export const validitySecondsInput = z
  .number()
  .int()
  .min(60)
  .max(50 * 365 * 24 * 3600)
  .default(DEFAULT_CREDENTIAL_VALIDITY_SECONDS)

/** A real calendar day, 0001-01-01 to 9999-12-31 (no 2024-02-31, no year 0). */
export function isDate(value: unknown): boolean {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || value.startsWith('0000')) return false
  const day = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === value
}

/** The names of JavaScript's built-in object properties: never a claim or data element name. */
export const BUILT_IN_NAMES: readonly string[] = ['prototype', ...Object.getOwnPropertyNames(Object.prototype)]

/** One claim of an offer that does not fit its configuration. */
export interface ClaimProblem {
  /** The claim's name; for an mdoc, `<namespace>/<data element>` (or the namespace alone). */
  claim: string
  code: 'claim_unknown' | 'claim_missing' | 'claim_invalid'
  message: string
}

/** Whether every entry of `list` has its own `name` (claims of a configuration, data elements of a namespace). */
export function namesAreUnique(list: readonly { name: string }[]): boolean {
  return new Set(list.map((entry) => entry.name)).size === list.length
}

/** Credential claims filled each from one claim of another token or answer (an ID token, userinfo, an access token): `credential claim ← source claim`. */
export const claimMapping = z
  .record(
    z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a claim name of the credential configuration'),
    z.string().min(1).max(200),
  )
  .refine((mapping) => Object.keys(mapping).length <= 100, 'at most 100 claims')

/** Claims from the tenant's claims endpoint, POSTed who the credential is for (signed like a webhook), answering `{ claims }`. */
export const endpointClaimsSource = z.strictObject({ type: z.literal('endpoint'), url: z.url().max(2000) })

/** No claims yet: the tenant approves them later (`PUT /offers/{offerId}/claims`, deferred configurations only). */
export const deferredClaimsSource = z.strictObject({ type: z.literal('deferred') })
