import { generateKeyPairSync } from 'node:crypto'
import { ecPointOfPublicJwk, PKCS11_CURVES, publicJwkFromEcPoint } from '../pkcs11Curves.js'
import { isBrokenSession, isStaleHandle, isTransientPkcs11Error, pkcs11ErrorName } from '../pkcs11Errors.js'

const p256 = PKCS11_CURVES['P-256']

describe('PKCS#11 points and JWKs', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string; y: string }
  const raw = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')])

  it('reads CKA_EC_POINT DER-wrapped (as SoftHSM gives it) or raw, to the same JWK', () => {
    const der = Buffer.concat([Buffer.from([0x04, raw.length]), raw])
    expect(publicJwkFromEcPoint(p256, der)).toEqual({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y })
    expect(publicJwkFromEcPoint(p256, raw)).toEqual(publicJwkFromEcPoint(p256, der))
    expect(() => publicJwkFromEcPoint(p256, raw.subarray(1))).toThrow(/unexpected length 64/)
    const ed = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as { x: string }
    const edPoint = Buffer.from(ed.x, 'base64url')
    expect(publicJwkFromEcPoint(PKCS11_CURVES.Ed25519, Buffer.concat([Buffer.from([4, 32]), edPoint]))).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: ed.x,
    })
  })

  it('gives the token only valid public points of the key’s curve', () => {
    expect(ecPointOfPublicJwk(p256, jwk)).toEqual(raw)
    expect(() => ecPointOfPublicJwk(PKCS11_CURVES['P-384'], jwk)).toThrow(/not a public P-384 key/)
    expect(() => ecPointOfPublicJwk(p256, privateKey.export({ format: 'jwk' }))).toThrow(/not a public P-256 key/)
    expect(() => ecPointOfPublicJwk(p256, { ...jwk, y: jwk.x })).toThrow()
  })
})

describe('PKCS#11 errors', () => {
  const ckr = (name: string) => Object.assign(new Error(name), { name: 'Pkcs11Error' })

  it('retries what a restarting token answers, replaces closed sessions, and passes refusals through', () => {
    expect(pkcs11ErrorName(ckr('CKR_PIN_INCORRECT'))).toBe('CKR_PIN_INCORRECT')
    expect(pkcs11ErrorName(new Error('something else'))).toBeUndefined()
    for (const name of ['CKR_SESSION_HANDLE_INVALID', 'CKR_DEVICE_REMOVED', 'CKR_TOKEN_NOT_PRESENT']) {
      expect([isTransientPkcs11Error(ckr(name)), isBrokenSession(ckr(name))]).toEqual([true, true])
    }
    expect([isTransientPkcs11Error(ckr('CKR_DEVICE_MEMORY')), isBrokenSession(ckr('CKR_DEVICE_MEMORY'))]).toEqual([
      true,
      false,
    ])
    expect(isTransientPkcs11Error(Object.assign(new Error('sign did not complete'), { name: 'TimeoutError' }))).toBe(
      true,
    )
    for (const name of ['CKR_TEMPLATE_INCONSISTENT', 'CKR_MECHANISM_INVALID', 'CKR_KEY_HANDLE_INVALID']) {
      expect(isTransientPkcs11Error(ckr(name))).toBe(false)
    }
    expect(isStaleHandle(ckr('CKR_KEY_HANDLE_INVALID'))).toBe(true)
    expect(isStaleHandle(ckr('CKR_OBJECT_HANDLE_INVALID'))).toBe(true)
  })
})
