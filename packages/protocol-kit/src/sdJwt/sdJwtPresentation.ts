import { type DecodedJws, decodeJws } from '../jose/compactJws.js'
import { sha256Base64url } from './disclosures.js'
import { SdJwtError } from './SdJwtError.js'

/** An SD-JWT presentation split into its parts (RFC 9901 §4): nothing is verified yet. */
export interface SdJwtPresentation {
  issuerJwt: DecodedJws
  /** The disclosures as presented (base64url). */
  disclosures: string[]
  keyBinding?: DecodedJws
  /** `<issuer-jwt>~<disclosure>~…~`: what the key-binding proof's `sd_hash` covers. */
  boundPart: string
}

const MAX_DISCLOSURES = 256

/** Splits `<issuer-jwt>~<disclosure>~…~<kb-jwt>`; refuses anything that is not that shape (`malformed`). */
export function parseSdJwtPresentation(text: unknown): SdJwtPresentation {
  try {
    if (typeof text !== 'string') throw new Error('not a string')
    const parts = text.split('~')
    if (parts.length < 2 || parts.length > MAX_DISCLOSURES + 2) throw new Error('not an SD-JWT')
    const last = parts.pop() as string
    const [jwt, ...disclosures] = parts
    if (disclosures.some((disclosure) => !/^[A-Za-z0-9_-]+$/.test(disclosure))) throw new Error('empty disclosure')
    return {
      issuerJwt: decodeJws(jwt),
      disclosures,
      keyBinding: last === '' ? undefined : decodeJws(last),
      boundPart: `${parts.join('~')}~`,
    }
  } catch (error) {
    throw new SdJwtError('malformed', 'A presentation is not an SD-JWT', { cause: error })
  }
}

interface Disclosure {
  name?: string
  value: unknown
  used: boolean
}

const invalid = (detail: string) => new SdJwtError('invalid_disclosure', detail)

function decodeDisclosures(encoded: string[]): Map<string, Disclosure> {
  const byDigest = new Map<string, Disclosure>()
  for (const disclosure of encoded) {
    let array: unknown
    try {
      array = JSON.parse(Buffer.from(disclosure, 'base64url').toString('utf8'))
    } catch (error) {
      throw new SdJwtError('invalid_disclosure', 'A disclosure is not base64url JSON', { cause: error })
    }
    const valid =
      Array.isArray(array) &&
      typeof array[0] === 'string' &&
      (array.length === 2 || (array.length === 3 && typeof array[1] === 'string'))
    if (!valid) throw invalid('A disclosure is not [salt, name, value] or [salt, value]')
    const items = array as unknown[]
    const digest = sha256Base64url(disclosure)
    if (byDigest.has(digest)) throw invalid('A disclosure is presented twice')
    byDigest.set(
      digest,
      items.length === 3
        ? { name: items[1] as string, value: items[2], used: false }
        : { value: items[1], used: false },
    )
  }
  return byDigest
}

/**
 * The issuer-signed payload with the presented disclosures put in place (RFC 9901 §7.1): every
 * digest is used at most once, object disclosures only in `_sd`, array ones only in `{"...": d}`,
 * no disclosed name may overwrite a claim, and every presented disclosure must be referenced by a
 * digest (an unreferenced or altered one is refused: {@link SdJwtError} `invalid_disclosure`).
 */
export function disclosedPayload(payload: Record<string, unknown>, encoded: string[]): Record<string, unknown> {
  if (payload._sd_alg !== undefined && payload._sd_alg !== 'sha-256') throw invalid('Unsupported _sd_alg')
  const disclosures = decodeDisclosures(encoded)
  const take = (digest: unknown, kind: 'object' | 'array'): Disclosure | undefined => {
    if (typeof digest !== 'string') throw invalid('A digest is not a string')
    const disclosure = disclosures.get(digest)
    if (!disclosure) return undefined
    if (disclosure.used) throw invalid('A digest is referenced twice')
    if ((disclosure.name !== undefined) !== (kind === 'object')) throw invalid('A disclosure is of the wrong kind')
    disclosure.used = true
    return disclosure
  }
  const walk = (value: unknown, depth: number): unknown => {
    if (depth > 32) throw invalid('The credential is nested too deeply')
    if (Array.isArray(value)) {
      const out: unknown[] = []
      for (const element of value) {
        const keys = element && typeof element === 'object' && !Array.isArray(element) ? Object.keys(element) : []
        if (keys.length === 1 && keys[0] === '...') {
          const disclosure = take((element as Record<string, unknown>)['...'], 'array')
          if (disclosure) out.push(walk(disclosure.value, depth + 1))
        } else out.push(walk(element, depth + 1))
      }
      return out
    }
    if (!value || typeof value !== 'object') return value
    const object = value as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (const [name, claim] of Object.entries(object)) {
      if (name !== '_sd' && name !== '_sd_alg') out[name] = walk(claim, depth + 1)
    }
    if (object._sd !== undefined) {
      if (!Array.isArray(object._sd)) throw invalid('_sd is not an array')
      for (const digest of object._sd) {
        const disclosure = take(digest, 'object')
        if (!disclosure) continue
        const name = disclosure.name as string
        if (name === '_sd' || name === '...' || name in out) throw invalid(`A disclosure would overwrite '${name}'`)
        out[name] = walk(disclosure.value, depth + 1)
      }
    }
    return out
  }
  const result = walk(payload, 0) as Record<string, unknown>
  if ([...disclosures.values()].some((disclosure) => !disclosure.used)) {
    throw invalid('A disclosure is not referenced by any digest of the credential')
  }
  return result
}
