import type { Query } from '@credo-ts/core'
import { StorageQueryError } from '../../src/StorageServiceError.js'
import { TestRecord } from '../support/TestRecord.js'
import { type TestStorage, type TestStorageFactory, tenantContext } from '../support/testStorage.js'

export function queryConformance(factory: TestStorageFactory): void {
  describe('findByQuery', () => {
    let storage: TestStorage
    const tenant = tenantContext('tenant-query')
    const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second))

    // Five records created one second apart, so creation order is known.
    const records = [
      new TestRecord({
        id: 'r1',
        createdAt: at(1),
        tags: { state: 'offered', kind: 'diploma', ok: true, roles: ['a'] },
      }),
      new TestRecord({
        id: 'r2',
        createdAt: at(2),
        tags: { state: 'done', kind: 'diploma', ok: false, roles: ['a', 'b'] },
      }),
      new TestRecord({
        id: 'r3',
        createdAt: at(3),
        tags: { state: 'done', kind: 'licence', ok: true, roles: ['b', 'c'] },
      }),
      new TestRecord({ id: 'r4', createdAt: at(4), tags: { state: 'offered', kind: 'licence', one: '1', roles: 'a' } }),
      new TestRecord({ id: 'r5', createdAt: at(5), tags: {} }),
    ]

    beforeAll(async () => {
      storage = await factory()
      for (const record of records) await storage.storageService.save(tenant, record)
    })
    afterAll(() => storage.dispose())

    const ids = async (
      query: Query<TestRecord>,
      options?: Parameters<TestStorage['storageService']['findByQuery']>[3],
    ) => (await storage.storageService.findByQuery(tenant, TestRecord, query, options)).map((record) => record.id)

    it('returns every record of the type for an empty query, in creation order', async () => {
      expect(await ids({})).toEqual(['r1', 'r2', 'r3', 'r4', 'r5'])
      expect((await storage.storageService.getAll(tenant, TestRecord)).map((r) => r.id)).toEqual([
        'r1',
        'r2',
        'r3',
        'r4',
        'r5',
      ])
    })

    it('matches string tags by equality, all plain tags together', async () => {
      expect(await ids({ state: 'done' })).toEqual(['r2', 'r3'])
      expect(await ids({ state: 'done', kind: 'licence' })).toEqual(['r3'])
      expect(await ids({ state: 'nope' })).toEqual([])
    })

    it('matches booleans with their type: true is not the string "1"', async () => {
      expect(await ids({ ok: true })).toEqual(['r1', 'r3'])
      expect(await ids({ ok: false })).toEqual(['r2'])
      expect(await ids({ one: '1' })).toEqual(['r4'])
      expect(await ids({ one: true })).toEqual([])
    })

    it('matches arrays when the stored array holds every listed value', async () => {
      expect(await ids({ roles: ['a'] })).toEqual(['r1', 'r2'])
      expect(await ids({ roles: ['a', 'b'] })).toEqual(['r2'])
      expect(await ids({ roles: ['b'] })).toEqual(['r2', 'r3'])
      // r4 stores the string 'a', which an array query does not match, and vice versa.
      expect(await ids({ roles: 'a' })).toEqual(['r4'])
    })

    it('puts no constraint for null, undefined or an empty array', async () => {
      expect(await ids({ state: 'done', kind: undefined })).toEqual(['r2', 'r3'])
      expect(await ids({ state: 'done', kind: null })).toEqual(['r2', 'r3'])
      expect(await ids({ roles: [] })).toEqual(['r1', 'r2', 'r3', 'r4', 'r5'])
    })

    it('supports $and, $or, $not and nesting', async () => {
      expect(await ids({ $and: [{ state: 'done' }, { kind: 'diploma' }] })).toEqual(['r2'])
      expect(await ids({ $or: [{ state: 'done' }, { kind: 'diploma' }] })).toEqual(['r1', 'r2', 'r3'])
      expect(await ids({ $not: { state: 'done' } })).toEqual(['r1', 'r4', 'r5'])
      expect(await ids({ kind: 'licence', $not: { state: 'done' } })).toEqual(['r4'])
      expect(
        await ids({ $or: [{ $and: [{ state: 'offered' }, { $not: { kind: 'licence' } }] }, { roles: ['c'] }] }),
      ).toEqual(['r1', 'r3'])
      expect(await ids({ $not: { $or: [{ state: 'done' }, { roles: ['a'] }] } })).toEqual(['r4', 'r5'])
    })

    it('treats $and of nothing as true and $or of nothing as false', async () => {
      expect(await ids({ $and: [] })).toEqual(['r1', 'r2', 'r3', 'r4', 'r5'])
      expect(await ids({ $or: [] })).toEqual([])
    })

    it('rejects unknown operators and non-tag values with StorageQueryError', async () => {
      await expect(ids({ $in: ['x'] } as unknown as Query<TestRecord>)).rejects.toBeInstanceOf(StorageQueryError)
      await expect(ids({ count: 3 } as unknown as Query<TestRecord>)).rejects.toBeInstanceOf(StorageQueryError)
    })

    it('treats tag values as data, never as SQL', async () => {
      expect(await ids({ state: "done' OR '1'='1" })).toEqual([])
      expect(await ids({ 'state"}\' OR 1=1 --': 'x' })).toEqual([])
    })

    it('pages with limit and offset', async () => {
      expect(await ids({}, { limit: 2 })).toEqual(['r1', 'r2'])
      expect(await ids({}, { limit: 2, offset: 2 })).toEqual(['r3', 'r4'])
      expect(await ids({ state: 'offered' }, { offset: 1 })).toEqual(['r4'])
    })

    it('pages with cursors after and before a record', async () => {
      const { recordToCursor } = await import('@credo-ts/core')
      const cursorOf = (id: string) => {
        const record = records.find((r) => r.id === id)
        if (!record) throw new Error(id)
        return recordToCursor(record)
      }
      expect(await ids({}, { limit: 2, cursor: { after: cursorOf('r2') } })).toEqual(['r3', 'r4'])
      expect(await ids({}, { limit: 2, cursor: { before: cursorOf('r4') } })).toEqual(['r2', 'r3'])
      await expect(ids({}, { cursor: { after: 'not-a-cursor' } })).rejects.toBeInstanceOf(StorageQueryError)
    })
  })
}
