import { expect } from '@jest/globals'

// biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected loosely in tests
type Call = (method: string, path: string, key?: string) => Promise<{ status: number; body: Record<string, any> }>

/**
 * Every item of a keyset-paged list (`GET path`, items under `name`), following `next_cursor`
 * `limit` at a time; each page answers 200 with at most `limit` items. Answers the items and the
 * number of pages it took.
 */
export async function walkPages(call: Call, key: string, path: string, name: string, limit: number) {
  const items: Record<string, unknown>[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const separator = path.includes('?') ? '&' : '?'
    const next = cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
    const page = await call('GET', `${path}${separator}limit=${limit}${next}`, key)
    expect(page.status).toBe(200)
    expect((page.body[name] as unknown[]).length).toBeLessThanOrEqual(limit)
    items.push(...page.body[name])
    cursor = page.body.next_cursor
    pages++
  } while (cursor)
  return { items, pages }
}
