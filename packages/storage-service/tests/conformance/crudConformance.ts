import { RecordDuplicateError, RecordNotFoundError } from '@credo-ts/core'
import { TestRecord } from '../support/TestRecord.js'
import { type TestStorage, type TestStorageFactory, tenantContext } from '../support/testStorage.js'

export function crudConformance(factory: TestStorageFactory): void {
  describe('save, get, update, delete', () => {
    let storage: TestStorage
    const tenant = tenantContext('tenant-crud')

    beforeAll(async () => {
      storage = await factory()
    })
    afterAll(() => storage.dispose())

    it('round-trips a record with its value, tags and creation time', async () => {
      const createdAt = new Date('2026-01-02T03:04:05.678Z')
      const record = new TestRecord({ createdAt, counter: 7, tags: { name: 'alice', admin: true, roles: ['a', 'b'] } })
      await storage.storageService.save(tenant, record)

      const found = await storage.storageService.getById(tenant, TestRecord, record.id)
      expect(found).toBeInstanceOf(TestRecord)
      expect(found.id).toBe(record.id)
      expect(found.counter).toBe(7)
      expect(found.createdAt.toISOString()).toBe(createdAt.toISOString())
      expect(found.updatedAt).toBeInstanceOf(Date)
      expect(found.getTags()).toEqual({ name: 'alice', admin: true, roles: ['a', 'b'] })
    })

    it('drops null and undefined tags, as Askar does', async () => {
      const record = new TestRecord({ tags: { kept: 'yes', gone: undefined, alsoGone: null } })
      await storage.storageService.save(tenant, record)
      const found = await storage.storageService.getById(tenant, TestRecord, record.id)
      expect(found.getTags()).toEqual({ kept: 'yes' })
    })

    it('rejects a duplicate id with RecordDuplicateError and keeps the first record', async () => {
      const record = new TestRecord({ counter: 1 })
      await storage.storageService.save(tenant, record)
      const twin = new TestRecord({ id: record.id, counter: 2 })
      await expect(storage.storageService.save(tenant, twin)).rejects.toBeInstanceOf(RecordDuplicateError)
      expect((await storage.storageService.getById(tenant, TestRecord, record.id)).counter).toBe(1)
    })

    it('updates the value and replaces the tags', async () => {
      const record = new TestRecord({ counter: 1, tags: { state: 'offered', old: 'x' } })
      await storage.storageService.save(tenant, record)
      record.counter = 2
      record.replaceTags({ state: 'done' })
      await storage.storageService.update(tenant, record)

      const found = await storage.storageService.getById(tenant, TestRecord, record.id)
      expect(found.counter).toBe(2)
      expect(found.getTags()).toEqual({ state: 'done' })
      expect(await storage.storageService.findByQuery(tenant, TestRecord, { old: 'x' })).toEqual([])
    })

    it('deletes by record and by id', async () => {
      const first = new TestRecord()
      const second = new TestRecord()
      await storage.storageService.save(tenant, first)
      await storage.storageService.save(tenant, second)
      await storage.storageService.delete(tenant, first)
      await storage.storageService.deleteById(tenant, TestRecord, second.id)
      await expect(storage.storageService.getById(tenant, TestRecord, first.id)).rejects.toBeInstanceOf(
        RecordNotFoundError,
      )
      await expect(storage.storageService.getById(tenant, TestRecord, second.id)).rejects.toBeInstanceOf(
        RecordNotFoundError,
      )
    })

    it('answers RecordNotFoundError for a missing record on every operation', async () => {
      const ghost = new TestRecord()
      const service = storage.storageService
      await expect(service.getById(tenant, TestRecord, ghost.id)).rejects.toBeInstanceOf(RecordNotFoundError)
      await expect(service.update(tenant, ghost)).rejects.toBeInstanceOf(RecordNotFoundError)
      await expect(service.delete(tenant, ghost)).rejects.toBeInstanceOf(RecordNotFoundError)
      await expect(service.deleteById(tenant, TestRecord, ghost.id)).rejects.toBeInstanceOf(RecordNotFoundError)
      await expect(service.updateByIdWithLock(tenant, TestRecord, ghost.id, async (r) => r)).rejects.toBeInstanceOf(
        RecordNotFoundError,
      )
    })

    it('keeps record types apart: the same id may exist once per type', async () => {
      class OtherRecord extends TestRecord {
        public static override readonly type = 'OtherRecord'
        public override readonly type = OtherRecord.type
      }
      const record = new TestRecord({ counter: 1 })
      const other = new OtherRecord({ id: record.id, counter: 2 })
      await storage.storageService.save(tenant, record)
      await storage.storageService.save(tenant, other)
      expect((await storage.storageService.getById(tenant, TestRecord, record.id)).counter).toBe(1)
      expect((await storage.storageService.getById(tenant, OtherRecord, record.id)).counter).toBe(2)
      const all = await storage.storageService.getAll(tenant, OtherRecord)
      expect(all.map((r) => r.id)).toEqual([record.id])
    })
  })
}
