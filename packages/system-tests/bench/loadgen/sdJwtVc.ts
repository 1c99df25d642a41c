import { decodeJwt, type JsonObject, sha256Base64Url, verifyJwt } from './compactJwt.js'
import { didPublicKey } from './didPublicKey.js'
import type { HolderKey } from './HolderKey.js'
import { check } from './ProtocolNotes.js'
import { x5cPublicKey } from './x5cPublicKey.js'

/** An issued SD-JWT VC (RFC 9901, SD-JWT VC), checked, with its decoded disclosures. */
export interface SdJwtVc {
  issuerJwt: string
  payload: JsonObject
  disclosures: { encoded: string; name: string; value: unknown }[]
  holderKey: HolderKey
  /** Signed under an X.509 chain (`x5c`), not by a DID key. */
  x5c: boolean
}

/** The issuer's key: from `x5c` up to the wallet's trusted CA, or the `kid` DID URL, which must belong to `iss`. */
function issuerKeyOf(step: string, issuerJwt: string, trustAnchor: string | undefined) {
  const { header, payload } = decodeJwt(step, issuerJwt)
  if (header.x5c !== undefined) return x5cPublicKey(step, header.x5c, trustAnchor)
  check(typeof header.kid === 'string', step, 'credential header has neither kid nor x5c')
  // The kid is a DID URL of the issuer, absolute or relative to `iss` (Credo sends `#<fragment>`).
  const kid = header.kid.startsWith('#') ? `${payload.iss}${header.kid}` : header.kid
  check(kid.split('#')[0] === payload.iss, step, `kid ${header.kid} is not a key of iss ${payload.iss}`)
  return didPublicKey(step, kid)
}

/**
 * Checks an issued `dc+sd-jwt` the way a wallet should before storing it: the issuer's signature
 * ({@link issuerKeyOf}), the type, the holder binding
 * (`cnf.jwk`), every disclosure's digest, and that exactly `claims` were issued, each disclosable.
 */
export function checkIssuedSdJwtVc(
  step: string,
  compact: string,
  expected: { vct: string; claims: Record<string, unknown>; holderKey: HolderKey; trustAnchor?: string },
): SdJwtVc {
  const parts = compact.split('~')
  check(parts.length >= 2 && parts.at(-1) === '', step, 'the credential is not an SD-JWT without key binding')
  const issuerJwt = parts[0] as string
  const { header } = decodeJwt(step, issuerJwt)
  check(header.typ === 'dc+sd-jwt', step, `credential typ is ${header.typ}, not dc+sd-jwt`)
  const { payload } = verifyJwt(step, issuerJwt, issuerKeyOf(step, issuerJwt, expected.trustAnchor))
  check(payload.vct === expected.vct, step, `vct is ${payload.vct}, not ${expected.vct}`)
  check(expected.holderKey.matches(payload.cnf?.jwk), step, 'cnf.jwk is not the holder key of the proof')
  check(payload._sd_alg === 'sha-256', step, `_sd_alg is ${payload._sd_alg}`)
  const digests = new Set<string>(payload._sd ?? [])
  const disclosures = parts.slice(1, -1).map((encoded) => {
    check(digests.has(sha256Base64Url(encoded)), step, 'a disclosure has no digest in _sd')
    const decoded = JSON.parse(Buffer.from(encoded, 'base64url').toString())
    check(Array.isArray(decoded) && decoded.length === 3, step, 'a disclosure is not [salt, name, value]')
    return { encoded, name: decoded[1] as string, value: decoded[2] as unknown }
  })
  const issued = Object.fromEntries(disclosures.map(({ name, value }) => [name, value]))
  const offered = Object.entries(expected.claims)
  check(
    disclosures.length === offered.length &&
      offered.every(([name, value]) => JSON.stringify(issued[name]) === JSON.stringify(value)),
    step,
    `disclosed claims ${JSON.stringify(issued)} are not the offered ${JSON.stringify(expected.claims)}`,
  )
  return { issuerJwt, payload, disclosures, holderKey: expected.holderKey, x5c: header.x5c !== undefined }
}

/**
 * A presentation of `credential` disclosing only the top-level claims `names`, with a key-binding
 * JWT (`kb+jwt`: `iat`, `aud`, `nonce`, `sd_hash` over the issuer JWT and the chosen disclosures).
 */
export function presentSdJwtVc(
  step: string,
  credential: SdJwtVc,
  names: string[],
  binding: { nonce: string; audience: string },
): string {
  const chosen = names.map((name) => {
    const disclosure = credential.disclosures.find((candidate) => candidate.name === name)
    check(disclosure, step, `the credential has no disclosable claim '${name}'`)
    return disclosure.encoded
  })
  const presented = `${[credential.issuerJwt, ...chosen].join('~')}~`
  const keyBinding = credential.holderKey.sign(
    { typ: 'kb+jwt' },
    {
      iat: Math.floor(Date.now() / 1000),
      aud: binding.audience,
      nonce: binding.nonce,
      sd_hash: sha256Base64Url(presented),
    },
  )
  return `${presented}${keyBinding}`
}
