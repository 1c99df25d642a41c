/**
 * Rows of another record type read with a session in its statement
 * ({@link SessionStore.findWith}): the live rows of `recordType` in the session's partition
 * with one of `ids` and/or whose tags contain `tags`, answered as an array of their ids or of one
 * field of their values.
 */
export interface RelatedRows {
  recordType: string
  ids?: string[]
  tags?: Record<string, string>
  /** `id`, or the top-level field of the value to answer. */
  select: 'id' | { field: string }
}

/**
 * One scalar subquery per entry, its parameters appended to `values` (whose `$1` is the
 * partition).
 */
export function relatedRowsSql(table: string, related: RelatedRows[], values: unknown[]): string[] {
  const parameter = (value: unknown) => {
    values.push(value)
    return `$${values.length}`
  }
  return related.map((rows) => {
    const selected = rows.select === 'id' ? 'r.id' : `r.value->${parameter(rows.select.field)}::text`
    const conditions = [`r.tenant_id = $1`, `r.record_type = ${parameter(rows.recordType)}`]
    if (rows.ids) conditions.push(`r.id = ANY(${parameter(rows.ids)}::text[])`)
    if (rows.tags) conditions.push(`r.tags @> ${parameter(JSON.stringify(rows.tags))}::jsonb`)
    conditions.push('(r.expires_at IS NULL OR r.expires_at > now())')
    return `(SELECT array_agg(${selected}) FROM ${table} r WHERE ${conditions.join(' AND ')})`
  })
}
