import { generateKeyPairSync, sign } from 'node:crypto'
import { decodeJws, encodeJwsPart, verifySignature } from '../compactJws.js'
import { jwkThumbprint, publicJwkOf, publicKeyFromSelfDescribingDid } from '../publicKeys.js'

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
function base58(bytes: Buffer): string {
  let value = BigInt(`0x${bytes.toString('hex')}`)
  let out = ''
  while (value > 0n) {
    out = BASE58[Number(value % 58n)] + out
    value /= 58n
  }
  return out
}

describe('protocol public keys', () => {
  it('reads did:key P-256 (compressed point), did:key Ed25519 and did:jwk, and verifies with them', () => {
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const jwk = p256.publicKey.export({ format: 'jwk' })
    const x = Buffer.from(jwk.x as string, 'base64url')
    const yOdd = (Buffer.from(jwk.y as string, 'base64url').at(-1) as number) & 1
    const p256Did = `did:key:z${base58(Buffer.concat([Buffer.from([0x80, 0x24, yOdd ? 3 : 2]), x]))}`
    expect(publicJwkOf(publicKeyFromSelfDescribingDid(p256Did) as never)).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: jwk.x,
      y: jwk.y,
    })

    const ed = generateKeyPairSync('ed25519')
    const edRaw = Buffer.from(ed.publicKey.export({ format: 'jwk' }).x as string, 'base64url')
    const edDid = `did:key:z${base58(Buffer.concat([Buffer.from([0xed, 0x01]), edRaw]))}`
    const data = Buffer.from('hello')
    expect(
      verifySignature('EdDSA', publicKeyFromSelfDescribingDid(edDid) as never, data, sign(null, data, ed.privateKey)),
    ).toBe(true)

    const jwkDid = `did:jwk:${encodeJwsPart(jwk)}#0`
    const signingInput = `${encodeJwsPart({ alg: 'ES256' })}.${encodeJwsPart({ a: 1 })}`
    const signature = sign('sha256', Buffer.from(signingInput), { key: p256.privateKey, dsaEncoding: 'ieee-p1363' })
    const decoded = decodeJws(`${signingInput}.${signature.toString('base64url')}`)
    const key = publicKeyFromSelfDescribingDid(jwkDid) as never
    expect(verifySignature('ES256', key, decoded.signingInput, decoded.signature)).toBe(true)
    // Wrong algorithm for the key, tampered data: refused.
    expect(verifySignature('EdDSA', key, decoded.signingInput, decoded.signature)).toBe(false)
    expect(verifySignature('ES256', key, Buffer.from(`${signingInput}x`), decoded.signature)).toBe(false)
    expect(verifySignature('none', key, decoded.signingInput, decoded.signature)).toBe(false)
    expect(jwkThumbprint(jwk)).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('refuses malformed JWTs', () => {
    expect(() => decodeJws('a.b')).toThrow('three base64url parts')
    expect(() => decodeJws(`${encodeJwsPart({})}.e30.${'x'.repeat(70_000)}`)).toThrow('compact JWT')
    expect(() => decodeJws('bm90IGpzb24.e30.')).toThrow('header')
    // 'AB' and 'AA' decode to the same byte: only the canonical spelling is accepted.
    expect(() => decodeJws(`${encodeJwsPart({ alg: 'ES256' })}.e30.AB`)).toThrow('canonical')
    expect(decodeJws(`${encodeJwsPart({ alg: 'ES256' })}.e30.AA`).signature).toEqual(Buffer.from([0]))
  })
})
