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
 * The types a data element can have, as the mdoc library (@animo-id/mdoc) encodes them in CBOR
 * (ISO/IEC 18013-5 §7.2.1): `string` tstr, `int` and `uint` integers, `bool`, `full-date`
 * (tag 1004, an offer gives YYYY-MM-DD), `tdate` (tag 0, an offer gives an RFC 3339 date-time),
 * `bytes` bstr (an offer gives base64 or base64url).
 */
export const MDOC_ELEMENT_TYPES = ['string', 'int', 'uint', 'bool', 'full-date', 'tdate', 'bytes'] as const
export type MdocElementType = (typeof MDOC_ELEMENT_TYPES)[number]

/** A reverse-domain identifier, like `org.iso.18013.5.1.mDL` or `eu.europa.ec.eudi.pid.1`. */
const dottedName = (what: string) =>
  z
    .string()
    .max(128)
    .regex(/^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*$/, `${what}: letters and digits in parts joined by . _ or -`)
    .refine((name) => !BUILT_IN_NAMES.includes(name), 'reserved name (a JavaScript built-in)')

const elementName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'letters, digits and _, not starting with a digit')
  .refine((name) => !BUILT_IN_NAMES.includes(name), 'reserved name (a JavaScript built-in)')

const dataElements = z
  .array(
    z.strictObject({
      name: elementName,
      type: z.enum(MDOC_ELEMENT_TYPES),
      required: z.boolean().default(false),
      /** The data element's label in wallets, per locale. */
      display: claimDisplayInput.optional(),
    }),
  )
  .min(1)
  .max(100)
  .refine(namesAreUnique, 'data element names must be unique within a namespace')

/**
 * A credential configuration of an ISO/IEC 18013-5 mdoc (OID4VCI 1.0 Appendix A.2, `mso_mdoc`):
 * its document type and, per namespace, its data elements. Every data element is selectively
 * disclosable (the MSO holds a salted digest of each). No status: the installed mdoc library
 * writes no status into the Mobile Security Object, so an mdoc cannot be revoked (docs/MDOC.md).
 */
export const mdocConfigurationInput = z.strictObject({
  id: configurationIdInput,
  format: z.literal('mso_mdoc'),
  doctype: dottedName('doctype'),
  /** Issued later, as for SD-JWT VCs: the claims are approved through `PUT /offers/{offerId}/claims`. */
  deferred: z.boolean().default(false),
  /** How long an issued mdoc is valid (its MSO `validUntil`), unless the offer sets an earlier end. */
  validitySeconds: validitySecondsInput,
  /** The scope value that selects this configuration in the authorization code flow; default its id. */
  scope: scopeInput,
  display: displayInput.optional(),
  /** Key attestations required of the wallet (OID4VCI 1.0 Appendix D), and the levels accepted. */
  keyAttestationsRequired: keyAttestationsRequiredInput,
  revocable: z
    .literal(false, {
      error:
        'an mso_mdoc credential cannot be revoked: the installed mdoc library writes no status into the Mobile Security Object; leave revocable out and keep validitySeconds short (docs/MDOC.md)',
    })
    .default(false),
  /** Namespace → its data elements, e.g. `{ "org.iso.18013.5.1": [{ "name": "family_name", "type": "string" }] }`. */
  namespaces: z
    .record(dottedName('namespace'), dataElements)
    .refine((namespaces) => Object.keys(namespaces).length >= 1, 'at least one namespace')
    .refine((namespaces) => Object.keys(namespaces).length <= 10, 'at most 10 namespaces'),
})

export type MdocConfiguration = z.output<typeof mdocConfigurationInput>

const TDATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/

/** Whether `value` is an RFC 3339 date-time with an offset, between years 1 and 9999 in UTC. */
function isTdate(value: unknown): boolean {
  if (typeof value !== 'string' || !TDATE.test(value)) return false
  const time = Date.parse(value)
  const year = new Date(time).getUTCFullYear()
  return !Number.isNaN(time) && year >= 1 && year <= 9999
}

const EXPECTED: Record<MdocElementType, [(value: unknown) => boolean, string]> = {
  string: [
    (value) => typeof value === 'string' && isSafeString(value),
    'a string without NUL characters or lone surrogates',
  ],
  int: [(value) => Number.isSafeInteger(value), 'an integer'],
  uint: [(value) => Number.isSafeInteger(value) && (value as number) >= 0, 'an integer of 0 or more'],
  bool: [(value) => typeof value === 'boolean', 'true or false'],
  'full-date': [isDate, 'a date (YYYY-MM-DD)'],
  tdate: [isTdate, 'a date-time with an offset (RFC 3339, like 2026-07-01T09:00:00Z)'],
  bytes: [(value) => typeof value === 'string' && BASE64.test(value) && value.length % 4 !== 1, 'base64 or base64url'],
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Every claim of an mdoc offer that does not fit the configuration. An offer's claims are keyed
 * by namespace, then data element: `{ "org.iso.18013.5.1": { "family_name": "Doe" } }`; a
 * problem names `<namespace>/<element>`.
 */
export function mdocClaimProblems(configuration: MdocConfiguration, claims: Record<string, unknown>): ClaimProblem[] {
  const problems: ClaimProblem[] = []
  const where = `credential configuration '${configuration.id}'`
  for (const [namespace, values] of Object.entries(claims)) {
    const elements = Object.hasOwn(configuration.namespaces, namespace)
      ? configuration.namespaces[namespace]
      : undefined
    if (!elements) {
      problems.push({
        claim: namespace,
        code: 'claim_unknown',
        message: `Namespace '${namespace}' is not defined in ${where}`,
      })
    } else if (!isPlainObject(values)) {
      problems.push({
        claim: namespace,
        code: 'claim_invalid',
        message: `Namespace '${namespace}' must be an object of data elements, like { "${elements[0]?.name}": … }`,
      })
    } else {
      const known = new Set(elements.map((element) => element.name))
      for (const name of Object.keys(values).filter((name) => !known.has(name))) {
        const claim = `${namespace}/${name}`
        problems.push({ claim, code: 'claim_unknown', message: `Data element '${claim}' is not defined in ${where}` })
      }
    }
  }
  for (const [namespace, elements] of Object.entries(configuration.namespaces)) {
    const values = Object.hasOwn(claims, namespace) ? claims[namespace] : undefined
    if (values !== undefined && !isPlainObject(values)) continue
    for (const element of elements) {
      const claim = `${namespace}/${element.name}`
      // Own properties only: a missing `toString` element is missing, not a function.
      const value = values && Object.hasOwn(values, element.name) ? values[element.name] : undefined
      if (value === undefined || value === null) {
        if (element.required)
          problems.push({ claim, code: 'claim_missing', message: `Data element '${claim}' is required` })
        continue
      }
      const [fits, expected] = EXPECTED[element.type]
      if (!fits(value)) {
        problems.push({
          claim,
          code: 'claim_invalid',
          message: `Data element '${claim}' (${element.type}) must be ${expected}`,
        })
      }
    }
  }
  return problems
}
