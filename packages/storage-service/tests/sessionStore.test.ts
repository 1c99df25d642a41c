import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { SessionStore } from '../src/SessionStore.js'
import { expiryMillis } from '../src/sessionExpiry.js'
import {
  createPgliteTestStorage,
  createPostgresTestStorage,
  type TestStorage,
  type TestStorageFactory,
} from './support/testStorage.js'

// SessionStore's statements on both engines (PostgreSQL as the least-privileged app role, and
// PGlite): changes of many sessions by selection, pages, a session read with related rows, and
// sessions whose `expiresAt` an earlier version stored as an ISO string.

interface Thing {
  state: string
  owner: string
  /** Epoch milliseconds; rows of earlier versions hold an ISO string. */
  expiresAt: number
  colour?: string
  cancelledAt?: string
}

/** Reads the ISO `expiresAt` of older rows as epoch milliseconds, like the verifier's store. */
class ThingStore extends SessionStore<Thing> {
  protected override readValue(stored: Thing): Thing {
    return { ...stored, expiresAt: expiryMillis(stored.expiresAt) }
  }
}

const HOUR = 3_600_000
const rowExpiresAt = () => new Date(Date.now() + 24 * HOUR)

function describeSessions(name: string, factory: TestStorageFactory) {
  describe(`SessionStore on ${name}`, () => {
    let storage: TestStorage
    let store: ThingStore
    const thing = (owner: string, state = 'open', expiresAt: number | string = Date.now() + HOUR): Thing =>
      ({ state, owner, expiresAt }) as Thing

    beforeAll(async () => {
      storage = await factory()
      store = new ThingStore(storage.database, storage.schema, 'Thing', (tenantId) => `tenant-${tenantId}`)
    })
    afterAll(async () => {
      await storage?.dispose()
    })

    it('changes every selected session in one statement, and only those', async () => {
      await store.insert('a', 'm1', thing('x'), rowExpiresAt(), { owner: 'x' })
      await store.insert('a', 'm2', thing('x', 'taken'), rowExpiresAt(), { owner: 'x' })
      await store.insert('a', 'm3', thing('y'), rowExpiresAt(), { owner: 'y' })
      await store.insert('a', 'm4', thing('x', 'open', Date.now() - HOUR), rowExpiresAt(), { owner: 'x' })
      await store.insert('a', 'm5', thing('x', 'open', new Date(Date.now() + HOUR).toISOString()), rowExpiresAt(), {
        owner: 'x',
      })
      await store.insert('a', 'm6', thing('x', 'open', new Date(Date.now() - HOUR).toISOString()), rowExpiresAt(), {
        owner: 'x',
      })
      await store.insert('b', 'm7', thing('x'), rowExpiresAt(), { owner: 'x' })

      const cancelled = { state: 'cancelled', cancelledAt: '2026-12-06T00:00:00.000Z' }
      // Live ones only (both stored shapes of expiresAt), by tag.
      expect(
        await store.transitionAll('a', { from: ['open'], tags: { owner: 'x' }, notExpired: true }, cancelled),
      ).toBe(2)
      expect((await store.find('a', 'm1'))?.state).toBe('cancelled')
      expect((await store.find('a', 'm5'))?.state).toBe('cancelled')
      for (const id of ['m2', 'm3', 'm4', 'm6']) expect((await store.find('a', id))?.state).not.toBe('cancelled')
      expect((await store.find('b', 'm7'))?.state).toBe('open')
      // Expired ones too, by value.
      expect(await store.transitionAll('a', { from: ['open', 'taken'], match: { owner: 'x' } }, cancelled)).toBe(3)
      expect((await store.find('a', 'm3'))?.state).toBe('open')
      expect(await store.transitionAll('a', { from: ['open'], match: { owner: 'nobody' } }, cancelled)).toBe(0)
    })

    it('changes one session only while its time runs, whichever shape stored it', async () => {
      await store.insert('a', 'n1', thing('x', 'open', Date.now() + HOUR), rowExpiresAt())
      await store.insert('a', 'n2', thing('x', 'open', new Date(Date.now() + HOUR).toISOString()), rowExpiresAt())
      await store.insert('a', 'n3', thing('x', 'open', Date.now() - HOUR), rowExpiresAt())
      await store.insert('a', 'n4', thing('x', 'open', new Date(Date.now() - HOUR).toISOString()), rowExpiresAt())
      const close = (id: string) => store.transition('a', id, ['open'], { state: 'closed' }, {}, { notExpired: true })
      expect((await close('n1'))?.state).toBe('closed')
      const upgraded = await close('n2')
      expect(upgraded?.state).toBe('closed')
      expect(typeof upgraded?.expiresAt).toBe('number')
      expect(await close('n3')).toBeNull()
      expect(await close('n4')).toBeNull()
      // Without the option the session's own time is not checked (the row is live).
      expect((await store.transition('a', 'n3', ['open'], { state: 'closed' }))?.state).toBe('closed')
    })

    it('reads rows of an earlier version in the current shape', async () => {
      const iso = '2030-01-02T03:04:05.678Z'
      await store.insert('a', 'old', thing('x', 'open', iso), rowExpiresAt())
      expect((await store.find('a', 'old'))?.expiresAt).toBe(Date.parse(iso))
      const page = await store.page('a', { limit: 100, where: (parameter) => [`id = ${parameter('old')}`] })
      expect(page.items.map((item) => item.value.expiresAt)).toEqual([Date.parse(iso)])
    })

    it('pages the sessions of its record type in its tenant', async () => {
      const other = new SessionStore<Thing>(storage.database, storage.schema, 'OtherThing', (id) => `tenant-${id}`)
      await other.insert('a', 'p0', thing('z'), rowExpiresAt())
      for (let index = 1; index <= 5; index++) await store.insert('c', `p${index}`, thing('z'), rowExpiresAt())
      const first = await store.page('c', { limit: 3, after: undefined, createdFrom: undefined })
      expect(first.items.map((item) => item.id)).toEqual(['p1', 'p2', 'p3'])
      const second = await store.page('c', { limit: 3, after: first.next })
      expect(second.items.map((item) => item.id)).toEqual(['p4', 'p5'])
      expect(second.next).toBeUndefined()
      expect((await other.page('c', { limit: 3 })).items).toEqual([])
    })

    it('inserts rows that belong together all or none, and reads and sums them by tags or ids', async () => {
      const counters = new SessionStore<{ state: string; n: number }>(
        storage.database,
        storage.schema,
        'Counter',
        (id) => `tenant-${id}`,
      )
      const group = (first: string) => [
        { recordType: 'Thing', id: first, value: thing('g'), tags: { group: 'g1' } },
        { recordType: 'Counter', id: `${first}#0`, value: { state: 'open', n: 2 } },
        { recordType: 'Counter', id: `${first}#1`, value: { state: 'open', n: 40 } },
      ]
      expect(await store.insertAll('f', group('g1'), rowExpiresAt())).toBe(true)
      // One id taken: nothing of the second attempt is written.
      expect(
        await store.insertAll(
          'f',
          [{ recordType: 'Counter', id: 'fresh', value: { state: 'open', n: 1 } }, ...group('g1')],
          rowExpiresAt(),
        ),
      ).toBe(false)
      expect(await counters.find('f', 'fresh')).toBeNull()
      expect(await counters.aggregate('f', 'sum', 'n', { ids: ['g1#0', 'g1#1', 'missing'] })).toBe(42)
      expect(await counters.aggregate('f', 'max', 'n', { ids: ['g1#0', 'g1#1'] })).toBe(40)
      expect(await counters.aggregate('f', 'max', 'n', { ids: ['missing'] })).toBeNull()
      expect(await counters.aggregate('other', 'sum', 'n', { ids: ['g1#0'] })).toBeNull()
      expect((await store.findAll('f', { group: 'g1' })).map((row) => row.id)).toEqual(['g1'])
      expect(await store.findAll('f', { group: 'none' })).toEqual([])
      expect(await store.findAll('other', { group: 'g1' })).toEqual([])
    })

    it('changes a session and bumps a counter elsewhere only when it changed, answering it before and after', async () => {
      const counters = new SessionStore<{ state: string; version: number }>(
        storage.database,
        storage.schema,
        'Counter',
        (id) => `tenant-${id}`,
      )
      await store.insert('h', 'c1', { ...thing('x'), colour: 'k1' }, rowExpiresAt())
      await counters.insert('h', 'k1', { state: 'open', version: 5 }, rowExpiresAt())
      const close = () =>
        store.updateCounting(
          'h',
          `value = value || '{"state":"closed"}'::jsonb`,
          `value->>'state' = $4`,
          ['c1', 'open'],
          {
            recordType: 'Counter',
            field: 'version',
            idOf: () => `SELECT changed.value->>'colour' FROM changed`,
          },
        )
      const first = await close()
      expect([first.before?.state, first.after?.state]).toEqual(['open', 'closed'])
      expect((await counters.find('h', 'k1'))?.version).toBe(6)
      const again = await close()
      expect([again.before?.state, again.after]).toEqual(['closed', null])
      expect((await counters.find('h', 'k1'))?.version).toBe(6)
      expect(
        await store.updateCounting('h', 'value = value', 'true', ['missing'], {
          recordType: 'Counter',
          field: 'version',
          idOf: () => `SELECT 'k1' FROM changed`,
        }),
      ).toEqual({ before: null, after: null })
      expect((await counters.find('h', 'k1'))?.version).toBe(6)
    })

    it('reads a session with rows of other record types in one statement', async () => {
      const related = new SessionStore<{ state: string; content?: unknown }>(
        storage.database,
        storage.schema,
        'Related',
        (id) => `tenant-${id}`,
      )
      await store.insert('d', 's1', thing('x'), rowExpiresAt())
      await related.insert('d', 'r1', { state: 'kept', content: { n: 1 } }, rowExpiresAt(), { kind: 'k' })
      await related.insert('d', 'r2', { state: 'kept', content: { n: 2 } }, rowExpiresAt(), { kind: 'k' })
      await related.insert('d', 'r3', { state: 'kept' }, rowExpiresAt(), { kind: 'other' })
      await related.insert('e', 'r4', { state: 'kept', content: { n: 4 } }, rowExpiresAt(), { kind: 'k' })
      const found = await store.findWith('d', 's1', [
        { recordType: 'Related', ids: ['r1', 'r3', 'r4', 'missing'], select: 'id' },
        { recordType: 'Related', tags: { kind: 'k' }, select: { field: 'content' } },
        { recordType: 'Related', ids: ['missing'], select: 'id' },
      ])
      expect(found?.value.owner).toBe('x')
      expect([...(found?.related[0] ?? [])].sort()).toEqual(['r1', 'r3'])
      expect(found?.related[1]).toEqual(expect.arrayContaining([{ n: 1 }, { n: 2 }]))
      expect(found?.related[1]).toHaveLength(2)
      expect(found?.related[2]).toBeNull()
      expect(await store.findWith('d', 'missing', [])).toBeNull()
    })
  })
}

describeSessions('PostgreSQL', createPostgresTestStorage)
describeSessions('PGlite', createPgliteTestStorage)
