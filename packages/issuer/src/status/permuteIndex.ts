import { createHmac } from 'node:crypto'

const ROUNDS = 4

/**
 * The `ordinal`-th index of a list of `size` entries: a keyed pseudo-random permutation of
 * `[0, size)` (a balanced Feistel network with HMAC-SHA-256 rounds keyed by the list's secret
 * seed, cycle-walked into the range). Allocating ordinals 0, 1, 2, … once each therefore hands
 * out every index exactly once, in an order nobody without the seed can predict, so an index
 * says nothing about when its credential was issued.
 */
export function permuteIndex(seed: string, size: number, ordinal: number): number {
  if (!Number.isInteger(ordinal) || ordinal < 0 || ordinal >= size) throw new RangeError('ordinal out of range')
  const halfBits = Math.max(1, Math.ceil(Math.ceil(Math.log2(Math.max(2, size))) / 2))
  const halfMask = (1 << halfBits) - 1
  const key = Buffer.from(seed, 'base64url')
  let value = ordinal
  do {
    let left = value >>> halfBits
    let right = value & halfMask
    for (let round = 0; round < ROUNDS; round++) {
      const mac = createHmac('sha256', key).update(`${round}:${right}`).digest()
      const next = (left ^ mac.readUInt32BE(0)) & halfMask
      left = right
      right = next
    }
    value = left * (1 << halfBits) + right
  } while (value >= size)
  return value
}
