import { generateKeyPairSync, sign, verify } from 'node:crypto'
import { ecdsaDerToJose } from '../ecdsaDerToJose.js'

describe('ecdsaDerToJose', () => {
  it.each([
    ['P-256', 'sha256', 64],
    ['P-384', 'sha384', 96],
    ['secp256k1', 'sha256', 64],
  ] as const)('turns 300 DER signatures on %s into r||s that node:crypto verifies', (namedCurve, hash, length) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve })
    for (let i = 0; i < 300; i++) {
      const data = Buffer.from(`message ${i}`)
      const der = sign(hash, data, { key: privateKey, dsaEncoding: 'der' })
      const jose = ecdsaDerToJose(der, length)
      expect(jose).toHaveLength(length)
      expect(verify(hash, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose)).toBe(true)
    }
  })

  it('strips the sign byte of an integer with its high bit set, and pads a short one', () => {
    const r = [0x00, 0x80, ...Array(31).fill(0x01)] // 33 bytes: sign byte + 32
    const s = [0x05] // 1 byte
    const der = Uint8Array.from([0x30, 2 + r.length + 2 + s.length, 0x02, r.length, ...r, 0x02, s.length, ...s])
    const jose = ecdsaDerToJose(der, 64)
    expect(Array.from(jose.subarray(0, 32))).toEqual([0x80, ...Array(31).fill(0x01)])
    expect(Array.from(jose.subarray(32))).toEqual([...Array(31).fill(0), 0x05])
  })

  it.each([
    ['not a sequence', [0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]],
    ['wrong sequence length', [0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]],
    ['integer too long', [0x30, 0x26, 0x02, 0x21, 0x01, ...Array(32).fill(0xff), 0x02, 0x01, 0x01]],
    ['trailing bytes', [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00]],
  ])('rejects a malformed signature: %s', (_why, bytes) => {
    expect(() => ecdsaDerToJose(Uint8Array.from(bytes), 64)).toThrow(/Malformed DER/)
  })
})
