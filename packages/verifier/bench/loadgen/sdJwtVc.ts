import { decodeJwt, type JsonObject, sha256Base64Url, verifyJwt } from './compactJwt.js'
import { didPublicKey } from './didPublicKey.js'
import type { HolderKey } from './HolderKey.js'
import { check } from './ProtocolNotes.js'

/** An issued SD-JWT VC (RFC 9901, SD-JWT VC), checked, with its decoded disclosures. */
export interface SdJwtVc {
  issuerJwt: string
  payload: JsonObject
  disclosures: { encoded: string; name: string; value: unknown }[]
  holderKey: HolderKey
}

/**
 * Checks an issued `dc+sd-jwt` the way a wallet should before storing it: the issuer's signature
 * (key from the `kid` DID URL, which must belong to `iss`), the type, the holder binding
 * (`cnf.jwk`), every disclosure's digest, and that exactly `claims` were issued, each disclosable.
 */
export function checkIssuedSdJwtVc(
  step: string,
  compact: string,
  expected: { vct: string; claims: Record<string, unknown>; holderKey: HolderKey },
): SdJwtVc {
  const parts = compact.split('~')
  check(parts.length >= 2 && parts.at(-1) === '', step, 'the credential is not an SD-JWT without key binding')
  const issuerJwt = parts[0] as string
  const { header } = decodeJwt(step, issuerJwt)
  check(header.typ === 'dc+sd-jwt', step, `credential typ is ${header.typ}, not dc+sd-jwt`)
  check(typeof header.kid === 'string', step, 'credential header has no kid')
  // The kid is a DID URL of the issuer, absolute or relative to `iss` (Credo sends `#<fragment>`).
  const { payload: claimed } = decodeJwt(step, issuerJwt)
  const kid = header.kid.startsWith('#') ? `${claimed.iss}${header.kid}` : header.kid
  check(kid.split('#')[0] === claimed.iss, step, `kid ${header.kid} is not a key of iss ${claimed.iss}`)
  const { payload } = verifyJwt(step, issuerJwt, didPublicKey(step, kid))
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
  return { issuerJwt, payload, disclosures, holderKey: expected.holderKey }
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
