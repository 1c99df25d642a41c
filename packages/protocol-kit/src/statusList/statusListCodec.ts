import { deflateSync, inflateSync } from 'node:zlib'

/** Bits per status: 1, 2, 4 or 8 (draft-ietf-oauth-status-list §4.1). */
export type StatusBitsPerEntry = 1 | 2 | 4 | 8

/**
 * The `lst` of a status list (draft-ietf-oauth-status-list §4.1): `size` entries of `bits`
 * bits, entry `i` in the byte `i * bits / 8` from its least significant bit on, compressed with
 * DEFLATE in the ZLIB format, base64url. Written on bytes directly (the `@sd-jwt/jwt-status-list`
 * encoder builds an array of every entry: about 220 ms for 2^17 entries, against a few here).
 */
export function encodeStatusList(
  size: number,
  bits: StatusBitsPerEntry,
  set: Iterable<[index: number, value: number]>,
): string {
  const bytes = Buffer.alloc(Math.ceil((size * bits) / 8))
  const mask = (1 << bits) - 1
  for (const [index, value] of set) {
    if (!Number.isInteger(index) || index < 0 || index >= size)
      throw new RangeError(`Status index ${index} out of range`)
    const bit = index * bits
    const byte = bit >> 3
    const shift = bit & 7
    bytes[byte] = ((bytes[byte] as number) & ~(mask << shift)) | ((value & mask) << shift)
  }
  return deflateSync(bytes, { level: 9 }).toString('base64url')
}

/** The uncompressed bytes of a status list's `lst` (bounded: a list inflates to at most `maxBytes`). */
export function decodeStatusList(lst: string, maxBytes = 16 * 1024 * 1024): Buffer {
  return inflateSync(Buffer.from(lst, 'base64url'), { maxOutputLength: maxBytes })
}

/** Entry `index` of decoded list bytes, or undefined past the end. */
export function statusAt(bytes: Buffer, bits: StatusBitsPerEntry, index: number): number | undefined {
  const bit = index * bits
  const byte = bytes[bit >> 3]
  if (!Number.isInteger(index) || index < 0 || byte === undefined) return undefined
  return (byte >> (bit & 7)) & ((1 << bits) - 1)
}
