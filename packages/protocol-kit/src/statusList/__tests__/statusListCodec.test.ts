import { StatusList } from '@sd-jwt/jwt-status-list'
import { decodeStatusList, encodeStatusList, statusAt } from '../statusListCodec.js'

describe('status list encoding', () => {
  it('matches @sd-jwt/jwt-status-list both ways, for every width', () => {
    for (const bits of [1, 2, 4, 8] as const) {
      const size = 1000
      const set: [number, number][] = [
        [0, 1],
        [7, (1 << bits) - 1],
        [8, 1],
        [999, 1],
        [500, bits > 1 ? 2 : 1],
      ]
      const ours = encodeStatusList(size, bits, set)
      const theirs = StatusList.decompressStatusList(ours, bits)
      const reference = new StatusList(new Array<number>(size).fill(0), bits)
      for (const [index, value] of set) reference.setStatus(index, value)
      const bytes = decodeStatusList(reference.compressStatusList())
      for (let index = 0; index < size; index++) {
        expect(theirs.getStatus(index)).toBe(reference.getStatus(index))
        expect(statusAt(bytes, bits, index)).toBe(reference.getStatus(index))
      }
      expect(statusAt(bytes, bits, (size * 8) / bits)).toBeUndefined()
    }
  })

  it('decodes the example of draft-ietf-oauth-status-list §4.1 (1 bit)', () => {
    const bytes = decodeStatusList('eNrbuRgAAhcBXQ')
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15].map((i) => statusAt(bytes, 1, i))).toEqual([
      1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1,
    ])
  })
})
