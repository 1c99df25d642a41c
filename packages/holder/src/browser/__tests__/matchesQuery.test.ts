import { matchesQuery } from '../matchesQuery.js'

// The IndexedDB store's tag matching must answer as the PostgreSQL storage's SQL does.

const tags = { vct: 'a', kind: 'diploma', active: true, holders: ['x', 'y'] }

describe("matchesQuery: Credo's query semantics in memory", () => {
  it('matches strings and booleans by equality, with their type', () => {
    expect(matchesQuery(tags, { vct: 'a' })).toBe(true)
    expect(matchesQuery(tags, { vct: 'b' })).toBe(false)
    expect(matchesQuery(tags, { active: true })).toBe(true)
    expect(matchesQuery(tags, { active: 'true' })).toBe(false)
    expect(matchesQuery(tags, { missing: 'a' })).toBe(false)
  })

  it('matches an array when the stored array holds every value; null, undefined and [] constrain nothing', () => {
    expect(matchesQuery(tags, { holders: ['y'] })).toBe(true)
    expect(matchesQuery(tags, { holders: ['x', 'z'] })).toBe(false)
    expect(matchesQuery(tags, { vct: ['a'] })).toBe(false)
    expect(matchesQuery(tags, { missing: null, other: undefined, holders: [] })).toBe(true)
  })

  it('combines with $and, $or and $not', () => {
    expect(matchesQuery(tags, { $and: [{ vct: 'a' }, { kind: 'diploma' }] })).toBe(true)
    expect(matchesQuery(tags, { $and: [{ vct: 'a' }, { kind: 'pid' }] })).toBe(false)
    expect(matchesQuery(tags, { $or: [{ vct: 'b' }, { kind: 'diploma' }] })).toBe(true)
    expect(matchesQuery(tags, { $or: [{ vct: 'b' }, { kind: 'pid' }] })).toBe(false)
    expect(matchesQuery(tags, { $not: { vct: 'b' } })).toBe(true)
    expect(matchesQuery(tags, { vct: 'a', $not: { kind: 'diploma' } })).toBe(false)
  })
})
