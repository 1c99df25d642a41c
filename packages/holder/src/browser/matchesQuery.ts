import type { TagsBase, TagValue } from '@credo-ts/core'

type AnyQuery = Record<string, unknown>

/**
 * Credo's query semantics over a record's tags, as the PostgreSQL storage applies them in SQL:
 * a string or boolean tag matches by equality (with its type); an array matches when the stored
 * array holds every listed value; `null`, `undefined` and an empty array put no constraint;
 * `$and`, `$or` and `$not` combine.
 */
export function matchesQuery(tags: TagsBase, query: AnyQuery): boolean {
  for (const [name, value] of Object.entries(query)) {
    if (name === '$and' && !(value as AnyQuery[]).every((part) => matchesQuery(tags, part))) return false
    if (name === '$or') {
      const parts = value as AnyQuery[]
      if (parts.length > 0 && !parts.some((part) => matchesQuery(tags, part))) return false
    }
    if (name === '$not' && value && matchesQuery(tags, value as AnyQuery)) return false
    if (name.startsWith('$')) continue
    if (!matchesTag(tags[name], value as TagValue)) return false
  }
  return true
}

function matchesTag(stored: TagValue, wanted: TagValue): boolean {
  if (wanted === null || wanted === undefined) return true
  if (Array.isArray(wanted)) {
    return wanted.length === 0 || (Array.isArray(stored) && wanted.every((item) => stored.includes(item)))
  }
  return stored === wanted
}
