/** A logo, as the issuer or verifier published it (the app decides whether to load it). */
export interface Logo {
  uri: string
  altText?: string
}

/** How a credential looks in one locale: name, description, logo and colours (OID4VCI 1.0 `display`). */
export interface LocalizedDisplay {
  /** BCP 47 language tag; absent when the publisher gave none. */
  locale?: string
  name: string
  description?: string
  logo?: Logo
  /** `#RRGGBB` or another CSS colour, as published. */
  backgroundColor?: string
  textColor?: string
  backgroundImage?: string
}

/** How an issuer names itself in one locale. */
export interface IssuerDisplay {
  locale?: string
  name?: string
  logo?: Logo
}

/** A claim's place in a credential (OID4VCI 1.0 / DCQL claims path: names, array indices, `null` for every element). */
export type ClaimPath = (string | number | null)[]

export interface ClaimLabel {
  locale?: string
  name: string
}

/** How a claim is labelled, by locale, and whether the issuer always includes it. */
export interface ClaimDisplay {
  path: ClaimPath
  mandatory?: boolean
  labels: ClaimLabel[]
}

/** What a wallet shows of one kind of credential: its card and its claims' labels. */
export interface CredentialTypeDisplay {
  display: LocalizedDisplay[]
  claims: ClaimDisplay[]
}

/**
 * The entry for the first of `preferred` locales that the entries have (an exact tag first, then
 * the same language: `nl-BE` finds `nl`, `en` finds `en-GB`), else the entry without a locale,
 * else the first. Undefined only for no entries.
 */
export function pickLocale<T extends { locale?: string }>(entries: readonly T[], preferred: readonly string[] = []) {
  const lower = (tag?: string) => tag?.toLowerCase()
  for (const wanted of preferred.map(lower)) {
    const exact = entries.find((entry) => lower(entry.locale) === wanted)
    if (exact) return exact
    const language = wanted?.split('-')[0]
    const same = entries.find((entry) => lower(entry.locale)?.split('-')[0] === language)
    if (same) return same
  }
  return entries.find((entry) => entry.locale === undefined) ?? entries[0]
}

const samePath = (a: ClaimPath, b: ClaimPath) =>
  a.length === b.length && a.every((step, index) => step === b[index] || step === null || b[index] === null)

/** The label of the claim at `path` in the first of `preferred` locales that has one. */
export function claimLabel(claims: readonly ClaimDisplay[], path: ClaimPath, preferred: readonly string[] = []) {
  const claim = claims.find((candidate) => samePath(candidate.path, path))
  return claim ? pickLocale(claim.labels, preferred)?.name : undefined
}
