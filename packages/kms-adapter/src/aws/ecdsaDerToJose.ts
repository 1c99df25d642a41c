import { Kms } from '@credo-ts/core'

/**
 * Converts an ASN.1 DER ECDSA signature (`SEQUENCE { INTEGER r, INTEGER s }`, as AWS KMS returns
 * it) to the JOSE form: r and s as unsigned big-endian integers, each left-padded to half of
 * `length` bytes (64 for P-256 and secp256k1, 96 for P-384).
 */
export function ecdsaDerToJose(der: Uint8Array, length: number): Uint8Array<ArrayBuffer> {
  const fail = (why: string) => new Kms.KeyManagementError(`Malformed DER ECDSA signature: ${why}`)
  let offset = 0
  const readLength = (): number => {
    const first = der[offset++]
    if (first === undefined) throw fail('truncated length')
    if (first < 0x80) return first
    const bytes = first & 0x7f
    if (bytes < 1 || bytes > 2) throw fail('unsupported length encoding')
    let value = 0
    for (let i = 0; i < bytes; i++) value = (value << 8) | (der[offset++] ?? 0)
    return value
  }
  if (der[offset++] !== 0x30) throw fail('not a SEQUENCE')
  const sequenceLength = readLength()
  if (offset + sequenceLength !== der.length) throw fail('SEQUENCE length does not match')

  const half = length / 2
  const out = new Uint8Array(length)
  for (const position of [0, half]) {
    if (der[offset++] !== 0x02) throw fail('expected an INTEGER')
    const integerLength = readLength()
    let integer = der.subarray(offset, offset + integerLength)
    offset += integerLength
    if (integer.length !== integerLength) throw fail('truncated INTEGER')
    // Drop the sign byte(s) DER adds when the high bit is set.
    while (integer.length > half && integer[0] === 0) integer = integer.subarray(1)
    if (integer.length > half) throw fail('INTEGER longer than the curve allows')
    out.set(integer, position + half - integer.length)
  }
  if (offset !== der.length) throw fail('trailing bytes')
  return out
}
