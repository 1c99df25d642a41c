import type {
  ClaimDisplay,
  ClaimLabel,
  ClaimPath,
  CredentialTypeDisplay,
  IssuerDisplay,
  LocalizedDisplay,
  Logo,
} from './displayTypes.js'

// Display data comes from issuers' metadata: read defensively, keep only well-typed fields, and
// bound every string, so that a hostile issuer cannot make the wallet store megabytes per card.

const MAX_TEXT = 1_000
const MAX_ENTRIES = 50

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)
const text = (value: unknown, max = MAX_TEXT) =>
  typeof value === 'string' && value.length > 0 ? value.slice(0, max) : undefined
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject).slice(0, MAX_ENTRIES) : [])
/** Leaves out the keys whose value is undefined (stored records stay small and compare equal). */
const defined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T

function logoOf(value: unknown): Logo | undefined {
  if (!isObject(value)) return undefined
  // OID4VCI 1.0 `uri`; draft 13 and earlier `url`.
  const uri = text(value.uri, 4_096) ?? text(value.url, 4_096)
  return uri ? defined({ uri, altText: text(value.alt_text) }) : undefined
}

/** OID4VCI `display` entries of a credential configuration (1.0, drafts 13 to 15). */
export function credentialDisplayOf(value: unknown): LocalizedDisplay[] {
  return list(value).flatMap((entry) => {
    const name = text(entry.name)
    if (!name) return []
    const image = isObject(entry.background_image) ? text(entry.background_image.uri, 4_096) : undefined
    return [
      defined({
        locale: text(entry.locale, 35),
        name,
        description: text(entry.description),
        logo: logoOf(entry.logo),
        backgroundColor: text(entry.background_color, 64),
        textColor: text(entry.text_color, 64),
        backgroundImage: image,
      }),
    ]
  })
}

/** The credential issuer's own `display` (name and logo per locale). */
export function issuerDisplayOf(value: unknown): IssuerDisplay[] {
  return list(value).flatMap((entry) => {
    const display = defined({ locale: text(entry.locale, 35), name: text(entry.name), logo: logoOf(entry.logo) })
    return display.name || display.logo ? [display] : []
  })
}

function labelsOf(value: unknown): ClaimLabel[] {
  // OID4VCI `{ name, locale }`; SD-JWT VC type metadata `{ label, lang }` (or `locale`).
  return list(value).flatMap((entry) => {
    const name = text(entry.name) ?? text(entry.label)
    return name ? [defined({ locale: text(entry.locale, 35) ?? text(entry.lang, 35), name })] : []
  })
}

function claimPath(value: unknown): ClaimPath | undefined {
  if (!Array.isArray(value) || value.length === 0 || value.length > 16) return undefined
  const valid = value.every((step) => typeof step === 'string' || step === null || Number.isInteger(step))
  return valid ? (value as ClaimPath) : undefined
}

/** Draft 13's nested claims object: `{ name: { display, mandatory }, address: { street: { display } } }`. */
function nestedClaims(value: Json, prefix: ClaimPath, into: ClaimDisplay[]): void {
  for (const [key, entry] of Object.entries(value)) {
    if (!isObject(entry) || into.length >= MAX_ENTRIES) continue
    const path = [...prefix, key]
    if ('display' in entry || 'mandatory' in entry || 'value_type' in entry) {
      into.push(
        defined({
          path,
          mandatory: typeof entry.mandatory === 'boolean' ? entry.mandatory : undefined,
          labels: labelsOf(entry.display),
        }),
      )
    }
    if (prefix.length < 8) nestedClaims(entry, path, into)
  }
}

/** Claim descriptions: 1.0 and draft 14/15 list `{ path, display }`; draft 13 nests an object. */
export function claimDisplaysOf(value: unknown): ClaimDisplay[] {
  if (isObject(value)) {
    const claims: ClaimDisplay[] = []
    nestedClaims(value, [], claims)
    return claims
  }
  return list(value).flatMap((entry) => {
    const path = claimPath(entry.path)
    if (!path) return []
    const mandatory = typeof entry.mandatory === 'boolean' ? entry.mandatory : undefined
    return [defined({ path, mandatory, labels: labelsOf(entry.display) })]
  })
}

/**
 * How a credential configuration of the issuer metadata is shown: OID4VCI 1.0 puts `display`
 * and `claims` under `credential_metadata`; drafts 13 to 15 put them on the configuration itself.
 */
export function configurationDisplayOf(configuration: unknown): CredentialTypeDisplay {
  if (!isObject(configuration)) return { display: [], claims: [] }
  const metadata = isObject(configuration.credential_metadata) ? configuration.credential_metadata : {}
  return {
    display: credentialDisplayOf(metadata.display ?? configuration.display),
    claims: claimDisplaysOf(metadata.claims ?? configuration.claims),
  }
}

/**
 * The display of SD-JWT VC Type Metadata (the `vct` document, when Credo fetched one):
 * `display[].rendering.simple` carries the logo and colours.
 */
export function typeMetadataDisplayOf(typeMetadata: unknown): CredentialTypeDisplay {
  if (!isObject(typeMetadata)) return { display: [], claims: [] }
  const display = list(typeMetadata.display).flatMap((entry) => {
    const simple = isObject(entry.rendering) && isObject(entry.rendering.simple) ? entry.rendering.simple : {}
    return credentialDisplayOf([
      { ...simple, name: entry.name, description: entry.description, locale: entry.locale ?? entry.lang },
    ])
  })
  return { display, claims: claimDisplaysOf(typeMetadata.claims) }
}
