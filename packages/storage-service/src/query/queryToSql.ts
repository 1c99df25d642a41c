import type { BaseRecord, Query, TagValue } from '@credo-ts/core'
import { StorageQueryError } from '../StorageServiceError.js'

const OPERATORS = new Set(['$and', '$or', '$not'])

/** Tag values as stored: Credo's tags without the null and undefined entries (Askar drops them too). */
export function storedTags(tags: Record<string, TagValue>): Record<string, string | boolean | string[]> {
  const stored: Record<string, string | boolean | string[]> = {}
  for (const [name, value] of Object.entries(tags)) {
    if (value !== null && value !== undefined) stored[name] = value
  }
  return stored
}

/**
 * Translates a Credo query into a SQL condition on the `tags` jsonb column, appending its
 * parameters to `params` (placeholders continue from `params.length`).
 *
 * Semantics follow Credo's Askar storage:
 * - a string or boolean tag matches by equality, with its type (`true` never matches `'1'`);
 * - an array matches when the stored array contains every listed value;
 * - `null` and `undefined` put no constraint; neither does an empty array;
 * - `$and` of nothing matches everything, `$or` of nothing matches nothing.
 *
 * All plain tags of one query level become a single `tags @> $n::jsonb` containment, which
 * the GIN index on `tags` serves.
 */
export function queryToSql<T extends BaseRecord>(query: Query<T>, params: unknown[]): string {
  const conditions: string[] = []
  const plain: Record<string, string | boolean | string[]> = {}

  for (const [key, value] of Object.entries(query as Record<string, unknown>)) {
    if (key.startsWith('$')) {
      if (!OPERATORS.has(key)) throw new StorageQueryError(`Unknown query operator '${key}'; use $and, $or or $not`)
      continue
    }
    if (value === null || value === undefined) continue
    if (Array.isArray(value)) {
      if (!value.every((item) => typeof item === 'string')) {
        throw new StorageQueryError(`Query tag '${key}' must be an array of strings`)
      }
      if (value.length > 0) plain[key] = value
    } else if (typeof value === 'string' || typeof value === 'boolean') {
      plain[key] = value
    } else {
      throw new StorageQueryError(
        `Query tag '${key}' has a ${typeof value} value; tags are strings, booleans or string arrays`,
      )
    }
  }
  if (Object.keys(plain).length > 0) {
    params.push(JSON.stringify(plain))
    conditions.push(`tags @> $${params.length}::jsonb`)
  }

  const advanced = query as { $and?: Query<T>[]; $or?: Query<T>[]; $not?: Query<T> }
  for (const subquery of advanced.$and ?? []) conditions.push(queryToSql(subquery, params))
  if (advanced.$or) {
    const alternatives = advanced.$or.map((subquery) => queryToSql(subquery, params))
    conditions.push(alternatives.length > 0 ? `(${alternatives.join(' OR ')})` : 'FALSE')
  }
  if (advanced.$not) conditions.push(`NOT ${queryToSql(advanced.$not, params)}`)

  return conditions.length > 0 ? `(${conditions.join(' AND ')})` : 'TRUE'
}
