import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { RecordPages } from '../src/RecordPages.js'
import {
  createPgliteTestStorage,
  createPostgresTestStorage,
  type TestStorage,
  type TestStorageFactory,
} from './support/testStorage.js'

// Keyset pages on both engines (PostgreSQL as the least-privileged app role, and PGlite): every
// live row once, in creation order then id (ties included), other tenants' and expired rows
// never, rows added while a client walks never shifting a page.

function describePages(name: string, factory: TestStorageFactory) {
  describe(`RecordPages on ${name}`, () => {
    let storage: TestStorage
    let pages: RecordPages
    const insert = (tenant: string, id: string, createdAt: string, value: object, expiresAt: string | null = null) =>
      storage.database.withTenant(tenant, (session) =>
        session.query(
          `INSERT INTO "${storage.schema}".tenant_records (tenant_id, record_type, id, value, tags, created_at, expires_at)
           VALUES ($1, 'Thing', $2, $3::jsonb, $4::jsonb, $5, $6)`,
          [
            tenant,
            id,
            JSON.stringify(value),
            JSON.stringify({ colour: (value as { colour: string }).colour }),
            createdAt,
            expiresAt,
          ],
        ),
      )

    async function walk(
      limit: number,
      options: Partial<Parameters<RecordPages['page']>[1]> = {},
      during?: () => Promise<void>,
    ) {
      const ids: string[] = []
      let after: Parameters<RecordPages['page']>[1]['after']
      let first = true
      do {
        const page = await pages.page<{ n: number }>('tenant-a', { recordType: 'Thing', limit, after, ...options })
        expect(page.items.length).toBeLessThanOrEqual(limit)
        ids.push(...page.items.map((item) => item.id))
        after = page.next
        if (first && during) await during()
        first = false
      } while (after)
      return ids
    }

    beforeAll(async () => {
      storage = await factory()
      pages = new RecordPages(storage.database, storage.schema)
      // 30 rows: three share each instant (id breaks the tie), microseconds matter, every third is red.
      for (let index = 0; index < 30; index++) {
        const instant = `2026-11-29T10:00:00.${String(Math.floor(index / 3)).padStart(3, '0')}123Z`
        await insert('tenant-a', `t${String(29 - index).padStart(2, '0')}-${index % 3}`, instant, {
          n: index,
          colour: index % 3 === 0 ? 'red' : 'blue',
        })
      }
      await insert('tenant-b', 'foreign', '2026-11-29T10:00:00.005Z', { n: 99, colour: 'red' })
      await insert('tenant-a', 'expired', '2026-11-29T10:00:00.005Z', { n: 98, colour: 'red' }, '2000-01-01T00:00:00Z')
    })
    afterAll(async () => {
      await storage?.dispose()
    })

    it('answers every live row of the tenant once, in creation order then id', async () => {
      const all = await walk(4)
      expect(all).toHaveLength(30)
      expect(new Set(all).size).toBe(30)
      const expected = Array.from({ length: 30 }, (_, index) => index)
        .map((index) => ({ at: Math.floor(index / 3), id: `t${String(29 - index).padStart(2, '0')}-${index % 3}` }))
        .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1))
        .map((row) => row.id)
      expect(all).toEqual(expected)
      expect(await walk(30)).toEqual(expected)
      expect(await walk(100)).toEqual(expected)
    })

    it('filters by tags, value conditions and created-at range', async () => {
      expect(await walk(2, { tags: { colour: 'red' } })).toHaveLength(10)
      const big = await walk(3, { where: (parameter) => [`(value->>'n')::int >= ${parameter(25)}`] })
      expect(big).toHaveLength(5)
      const range = await walk(2, {
        createdFrom: new Date('2026-11-29T10:00:00.002Z'),
        createdBefore: new Date('2026-11-29T10:00:00.004Z'),
      })
      expect(range).toHaveLength(6)
    })

    it('never skips or repeats a row when rows arrive during the walk', async () => {
      const ids = await walk(5, {}, async () => {
        await insert('tenant-a', 'late', '2026-11-29T11:00:00Z', { n: 100, colour: 'blue' })
        await insert('tenant-a', 'early', '2026-11-29T09:00:00Z', { n: 101, colour: 'blue' })
      })
      expect(ids).toHaveLength(31)
      expect(ids[ids.length - 1]).toBe('late')
      expect(ids).not.toContain('early')
      expect(new Set(ids).size).toBe(31)
    })
  })
}

describePages('PostgreSQL', createPostgresTestStorage)
describePages('PGlite', createPgliteTestStorage)
