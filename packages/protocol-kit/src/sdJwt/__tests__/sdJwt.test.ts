import { createHash, generateKeyPairSync, sign } from 'node:crypto'
import { encodeJwsPart } from '../../jose/compactJws.js'
import { concealClaims, joinSdJwt, makeDisclosure, sha256Base64url } from '../disclosures.js'
import { verifyKeyBinding } from '../keyBinding.js'
import { SdJwtError } from '../SdJwtError.js'
import { disclosedPayload, parseSdJwtPresentation } from '../sdJwtPresentation.js'

const holder = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const holderJwk = holder.publicKey.export({ format: 'jwk' })

function jwt(header: object, payload: object, key = holder.privateKey): string {
  const input = `${encodeJwsPart(header)}.${encodeJwsPart(payload)}`
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`
}

function present(claims: Record<string, unknown>, disclosable: string[], kb: Record<string, unknown> = {}) {
  const { plain, disclosures, digests } = concealClaims(claims, (name) => disclosable.includes(name))
  const payload = { ...plain, cnf: { jwk: holderJwk }, _sd: digests, _sd_alg: 'sha-256' }
  const issued = joinSdJwt(jwt({ alg: 'ES256', typ: 'dc+sd-jwt' }, payload), disclosures)
  const proof = { nonce: 'n-1', aud: 'x509_hash:verifier', iat: 1_000, sd_hash: sha256Base64url(issued), ...kb }
  return { payload, issued, text: `${issued}${jwt({ alg: 'ES256', typ: 'kb+jwt' }, proof)}` }
}

const expected = { nonce: 'n-1', audience: 'x509_hash:verifier', nowSeconds: 1_010, skewSeconds: 300 }
const codeOf = (check: () => unknown) => {
  try {
    check()
  } catch (error) {
    return error instanceof SdJwtError ? error.code : 'other'
  }
  return undefined
}

describe('SD-JWT', () => {
  it('makes disclosures as RFC 9901 §4.2.1 does, digests SHA-256 base64url', () => {
    const disclosure = makeDisclosure('given_name', 'Erika', '2GLC42sKQveCfGfryNRN9w')
    expect(JSON.parse(Buffer.from(disclosure, 'base64url').toString())).toEqual([
      '2GLC42sKQveCfGfryNRN9w',
      'given_name',
      'Erika',
    ])
    expect(sha256Base64url(disclosure)).toBe(createHash('sha256').update(disclosure).digest('base64url'))
  })

  it('conceals the disclosable claims, digests sorted, and discloses what is presented', () => {
    const { plain, disclosures, digests } = concealClaims({ a: 1, b: { c: 2 }, d: 'x' }, (name) => name !== 'd')
    expect(plain).toEqual({ d: 'x' })
    expect(disclosures).toHaveLength(2)
    expect(digests).toEqual(disclosures.map(sha256Base64url).sort())
    const { payload, text } = present({ a: 1, b: { c: 2 }, d: 'x' }, ['a', 'b'])
    const parsed = parseSdJwtPresentation(text)
    expect(disclosedPayload(parsed.issuerJwt.payload, parsed.disclosures)).toEqual({
      d: 'x',
      cnf: payload.cnf,
      a: 1,
      b: { c: 2 },
    })
    expect(verifyKeyBinding(parsed, parsed.issuerJwt.payload, expected).payload.nonce).toBe('n-1')
  })

  it('refuses what is not an SD-JWT, and disclosures that are altered or not referenced', () => {
    expect(codeOf(() => parseSdJwtPresentation('not.a.jwt'))).toBe('malformed')
    expect(codeOf(() => parseSdJwtPresentation(42))).toBe('malformed')
    const { payload } = present({ a: 1 }, ['a'])
    expect(codeOf(() => disclosedPayload(payload, [makeDisclosure('a', 2)]))).toBe('invalid_disclosure')
    expect(codeOf(() => disclosedPayload({ ...payload, _sd_alg: 'sha-512' }, []))).toBe('invalid_disclosure')
  })

  it('checks the key-binding proof in order: present, typ, signature, nonce, aud, sd_hash, iat', () => {
    const { issued, payload, text } = present({ a: 1 }, ['a'])
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    const bound = (
      kb: Record<string, unknown>,
      header: object = { alg: 'ES256', typ: 'kb+jwt' },
      key = holder.privateKey,
    ) =>
      parseSdJwtPresentation(
        `${issued}${jwt(header, { nonce: 'n-1', aud: 'x509_hash:verifier', iat: 1_000, sd_hash: sha256Base64url(issued), ...kb }, key)}`,
      )
    expect(codeOf(() => verifyKeyBinding(parseSdJwtPresentation(issued), payload, expected))).toBe(
      'invalid_key_binding',
    )
    expect(codeOf(() => verifyKeyBinding(bound({}, { alg: 'ES256', typ: 'JWT' }), payload, expected))).toBe(
      'invalid_key_binding',
    )
    expect(codeOf(() => verifyKeyBinding(bound({}, undefined, other), payload, expected))).toBe('invalid_signature')
    expect(codeOf(() => verifyKeyBinding(bound({ nonce: 'n-2' }), payload, expected))).toBe('nonce_mismatch')
    expect(codeOf(() => verifyKeyBinding(bound({ aud: 'other' }), payload, expected))).toBe('audience_mismatch')
    expect(codeOf(() => verifyKeyBinding(bound({ sd_hash: 'x' }), payload, expected))).toBe('invalid_disclosure')
    expect(codeOf(() => verifyKeyBinding(bound({ iat: 2_000 }), payload, expected))).toBe('invalid_key_binding')
    expect(codeOf(() => verifyKeyBinding(parseSdJwtPresentation(text), { a: 1 }, expected))).toBe('invalid_key_binding')
  })
})
