import { STATUS_VALUES, statusOfValue } from '../statusValues.js'

describe('status values', () => {
  it('maps each status to its Token Status List value and back', () => {
    expect(STATUS_VALUES).toEqual({ valid: 0, revoked: 1, suspended: 2 })
    for (const [status, value] of Object.entries(STATUS_VALUES)) expect(statusOfValue(value)).toBe(status)
  })

  it('knows no other value', () => {
    for (const value of [3, 15, 255, -1, 0.5, Number.NaN]) expect(statusOfValue(value)).toBeUndefined()
  })
})
