import { MdocRecord } from '@credo-ts/core'
import { cardValue } from '../credentials/MdocCredential.js'
import {
  REGISTERED_CLAIMS,
  toWalletCredential,
  type WalletCredential,
  type WalletRecord,
} from '../credentials/WalletCredential.js'
import type { ClaimDisplay, ClaimLabel, ClaimPath } from '../display/displayTypes.js'

/** One claim the verifier would read, with its labels and value: a line of the consent screen. */
export interface DisclosedClaim {
  path: ClaimPath
  /** The claim's labels by locale (from the issuer's metadata), empty when it gave none. */
  labels: ClaimLabel[]
  value: unknown
  /**
   * `true`: disclosed because the request asks for it (a selective disclosure). `false`: the
   * issuer did not make it selectively disclosable, so every presentation of this credential shows it.
   */
  selectivelyDisclosed: boolean
}

/** A credential that can answer a credential query, and exactly what presenting it would disclose. */
export interface PresentationCandidate {
  credential: WalletCredential
  disclosed: DisclosedClaim[]
  /**
   * Claims about the credential itself that every presentation carries, by name: `iss`, `vct`,
   * `iat`, `nbf`, `exp`, `status` (its status list entry), `cnf` (the key it is bound to); for an
   * mdoc its MSO: `docType`, `validityInfo`, `deviceKeyInfo`, and the issuer's `x5chain`.
   */
  alwaysShared: string[]
}

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Whether `path` is present as a plain claim in the issuer-signed payload (not behind a disclosure). */
function isPlain(payload: Json, path: ClaimPath): boolean {
  let current: unknown = payload
  for (const step of path) {
    if (!isObject(current) || typeof step !== 'string' || !Object.hasOwn(current, step)) return false
    current = current[step]
  }
  return true
}

/** The leaves of a disclosed payload (objects are walked; arrays and primitives are leaves). */
function leaves(value: Json, prefix: ClaimPath, into: { path: ClaimPath; value: unknown }[]): void {
  for (const [name, child] of Object.entries(value)) {
    if (prefix.length === 0 && REGISTERED_CLAIMS.has(name)) continue
    const path = [...prefix, name]
    if (isObject(child)) leaves(child, path, into)
    else into.push({ path, value: child })
  }
}

const labelsAt = (claims: readonly ClaimDisplay[], path: ClaimPath) =>
  claims.find((claim) => claim.path.length === path.length && claim.path.every((step, i) => step === path[i]))
    ?.labels ?? []

/**
 * What presenting `record` with the payload Credo will disclose (`output` of the DCQL match:
 * the credential with only the requested disclosures applied) shows the verifier.
 */
export function candidateOf(record: WalletRecord, output: Json): PresentationCandidate {
  if (record instanceof MdocRecord) return mdocCandidateOf(record, output)
  const credential = toWalletCredential(record)
  const signed = record.firstCredential.payload as Json
  const found: { path: ClaimPath; value: unknown }[] = []
  leaves(output, [], found)
  const disclosed = found.map(({ path, value }) => ({
    path,
    labels: labelsAt(credential.claimDisplay, path),
    value,
    selectivelyDisclosed: !isPlain(signed, path),
  }))
  return {
    credential,
    // What the request asks for first, then what the credential always shows.
    disclosed: [
      ...disclosed.filter((claim) => claim.selectivelyDisclosed),
      ...disclosed.filter((claim) => !claim.selectivelyDisclosed),
    ],
    alwaysShared: Object.keys(output).filter((name) => REGISTERED_CLAIMS.has(name) && !name.startsWith('_')),
  }
}

/** What presenting an mdoc discloses: the requested data elements (each one selectively), and its MSO. */
function mdocCandidateOf(record: MdocRecord, output: Json): PresentationCandidate {
  const credential = toWalletCredential(record)
  const found: { path: ClaimPath; value: unknown }[] = []
  for (const [namespace, elements] of Object.entries(output)) {
    if (!isObject(elements)) continue
    for (const [identifier, value] of Object.entries(elements)) found.push({ path: [namespace, identifier], value })
  }
  return {
    credential,
    disclosed: found.map(({ path, value }) => ({
      path,
      labels: labelsAt(credential.claimDisplay, path),
      value: cardValue(value),
      selectivelyDisclosed: true,
    })),
    alwaysShared: ['docType', 'validityInfo', 'deviceKeyInfo', 'x5chain'],
  }
}
