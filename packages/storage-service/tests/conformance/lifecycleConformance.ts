import { RecordNotFoundError } from '@credo-ts/core'
import { ExpiredRecordCleaner } from '../../src/ExpiredRecordCleaner.js'
import { ExpiringTestRecord, TestRecord } from '../support/TestRecord.js'
import { type TestStorage, type TestStorageFactory, tenantContext } from '../support/testStorage.js'

export function lifecycleConformance(factory: TestStorageFactory): void {
  describe('tenant isolation', () => {
    let storage: TestStorage
    const tenantA = tenantContext('tenant-a')
    const tenantB = tenantContext('tenant-b')

    beforeAll(async () => {
      storage = await factory()
    })
    afterAll(() => storage.dispose())

    it('never lets one tenant read, find, update or delete another tenant’s record', async () => {
      const service = storage.storageService
      const record = new TestRecord({ counter: 1, tags: { shared: 'tag' } })
      await service.save(tenantA, record)

      await expect(service.getById(tenantB, TestRecord, record.id)).rejects.toBeInstanceOf(RecordNotFoundError)
      expect(await service.findByQuery(tenantB, TestRecord, { shared: 'tag' })).toEqual([])
      expect(await service.getAll(tenantB, TestRecord)).toEqual([])
      await expect(service.update(tenantB, record)).rejects.toBeInstanceOf(RecordNotFoundError)
      await expect(service.delete(tenantB, record)).rejects.toBeInstanceOf(RecordNotFoundError)
      await expect(service.updateByIdWithLock(tenantB, TestRecord, record.id, async (r) => r)).rejects.toBeInstanceOf(
        RecordNotFoundError,
      )
      expect(await service.deleteTenant('tenant-b')).toBe(0)

      const untouched = await service.getById(tenantA, TestRecord, record.id)
      expect(untouched.counter).toBe(1)
    })

    it('lets two tenants use the same record id independently', async () => {
      const service = storage.storageService
      const mine = new TestRecord({ id: 'same-id', counter: 1 })
      const theirs = new TestRecord({ id: 'same-id', counter: 2 })
      await service.save(tenantA, mine)
      await service.save(tenantB, theirs)
      await service.delete(tenantB, theirs)
      expect((await service.getById(tenantA, TestRecord, 'same-id')).counter).toBe(1)
    })

    it('deletes every row of a deleted tenant and nothing else', async () => {
      const service = storage.storageService
      const tenantC = tenantContext('tenant-c')
      await service.save(tenantC, new TestRecord())
      await service.save(tenantC, new ExpiringTestRecord())
      const before = (await service.getAll(tenantA, TestRecord)).length
      expect(await service.deleteTenant('tenant-c')).toBe(2)
      expect(await service.getAll(tenantC, TestRecord)).toEqual([])
      expect((await service.getAll(tenantA, TestRecord)).length).toBe(before)
    })
  })

  describe('time to live', () => {
    let storage: TestStorage
    const tenant = tenantContext('tenant-ttl')

    beforeAll(async () => {
      storage = await factory({ ttlSecondsByRecordType: { ExpiringTestRecord: 3600 } })
    })
    afterAll(() => storage.dispose())

    /** Moves a record's expiry into the past, as if its time to live had run out. */
    const expire = (id: string) =>
      storage.admin.query(
        `UPDATE "${storage.schema}".records SET expires_at = now() - interval '1 second' WHERE id = $1`,
        [id],
      )
    const expiresAt = async (id: string) =>
      (
        await storage.admin.query<{ expires_at: Date | null }>(
          `SELECT expires_at FROM "${storage.schema}".records WHERE id = $1`,
          [id],
        )
      ).rows[0]?.expires_at

    it('sets an expiry on record types with a time to live, and none on others', async () => {
      const expiring = new ExpiringTestRecord()
      const permanent = new TestRecord()
      await storage.storageService.save(tenant, expiring)
      await storage.storageService.save(tenant, permanent)
      const expiry = await expiresAt(expiring.id)
      expect(expiry).toBeInstanceOf(Date)
      const secondsLeft = ((expiry as Date).getTime() - Date.now()) / 1000
      expect(secondsLeft).toBeGreaterThan(3500)
      expect(secondsLeft).toBeLessThanOrEqual(3601)
      expect(await expiresAt(permanent.id)).toBeNull()
      expect(storage.storageService.ttlSecondsFor('OpenId4VcIssuanceSessionRecord')).toBe(604800)
    })

    it('hides an expired record from every read and write at once', async () => {
      const service = storage.storageService
      const record = new ExpiringTestRecord({ tags: { state: 'offered' } })
      await service.save(tenant, record)
      await expire(record.id)

      await expect(service.getById(tenant, ExpiringTestRecord, record.id)).rejects.toBeInstanceOf(RecordNotFoundError)
      expect(await service.findByQuery(tenant, ExpiringTestRecord, { state: 'offered' })).toEqual([])
      await expect(service.update(tenant, record)).rejects.toBeInstanceOf(RecordNotFoundError)
      await expect(service.delete(tenant, record)).rejects.toBeInstanceOf(RecordNotFoundError)
    })

    it('lets a new record take the id of an expired one', async () => {
      const service = storage.storageService
      const old = new ExpiringTestRecord({ counter: 1 })
      await service.save(tenant, old)
      await expire(old.id)
      await service.save(tenant, new ExpiringTestRecord({ id: old.id, counter: 2 }))
      expect((await service.getById(tenant, ExpiringTestRecord, old.id)).counter).toBe(2)
    })

    it('purges expired rows in bounded batches and leaves live rows alone', async () => {
      const service = storage.storageService
      const doomed = Array.from({ length: 25 }, () => new ExpiringTestRecord())
      const live = new ExpiringTestRecord()
      for (const record of [...doomed, live]) await service.save(tenant, record)
      for (const record of doomed) await expire(record.id)

      const cleaner = new ExpiredRecordCleaner({ database: storage.database, schema: storage.schema, batchSize: 10 })
      const run = await cleaner.runOnce()
      expect(run.deleted).toBeGreaterThanOrEqual(25)
      expect(run.batches).toBeGreaterThanOrEqual(3)
      const { rows } = await storage.admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${storage.schema}".records WHERE expires_at <= now()`,
      )
      expect(rows[0]?.n).toBe(0)
      await expect(service.getById(tenant, ExpiringTestRecord, live.id)).resolves.toBeInstanceOf(ExpiringTestRecord)
      expect(await cleaner.runOnce()).toEqual({ deleted: 0, batches: 1 })
    })

    it('runs on its own schedule and stops cleanly', async () => {
      const record = new ExpiringTestRecord()
      await storage.storageService.save(tenant, record)
      await expire(record.id)
      const cleaner = new ExpiredRecordCleaner({
        database: storage.database,
        schema: storage.schema,
        intervalMillis: 20,
      })
      cleaner.start()
      const deadline = Date.now() + 10_000
      while ((await expiresAt(record.id)) !== undefined && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      await cleaner.stop()
      expect(await expiresAt(record.id)).toBeUndefined()
    })
  })

  describe('updateByIdWithLock', () => {
    let storage: TestStorage
    const tenant = tenantContext('tenant-lock')

    beforeAll(async () => {
      storage = await factory()
    })
    afterAll(() => storage.dispose())

    it('reports that it supports locking', () => {
      expect(storage.storageService.supportsLocking()).toBe(true)
    })

    it('loses no update under concurrent read-modify-write', async () => {
      const record = new TestRecord({ counter: 0 })
      await storage.storageService.save(tenant, record)
      await Promise.all(
        Array.from({ length: 20 }, () =>
          storage.storageService.updateByIdWithLock(tenant, TestRecord, record.id, async (fresh) => {
            const seen = fresh.counter
            // Yield while holding the lock, so unlocked writers would interleave here.
            await new Promise((resolve) => setTimeout(resolve, 2))
            fresh.counter = seen + 1
            return fresh
          }),
        ),
      )
      expect((await storage.storageService.getById(tenant, TestRecord, record.id)).counter).toBe(20)
    })

    it('writes nothing when the callback fails', async () => {
      const record = new TestRecord({ counter: 5 })
      await storage.storageService.save(tenant, record)
      await expect(
        storage.storageService.updateByIdWithLock(tenant, TestRecord, record.id, async (fresh) => {
          fresh.counter = 6
          throw new Error('callback failed')
        }),
      ).rejects.toThrow('callback failed')
      expect((await storage.storageService.getById(tenant, TestRecord, record.id)).counter).toBe(5)
    })
  })
}
