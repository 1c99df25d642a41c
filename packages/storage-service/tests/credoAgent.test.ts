import { Agent, DidRecord, Kms } from '@credo-ts/core'
import { agentDependencies, NodeInMemoryKeyManagementStorage, NodeKeyManagementService } from '@credo-ts/node'
import { PostgresStorageModule } from '../src/PostgresStorageModule.js'
import { createPgliteTestStorage, createPostgresTestStorage, type TestStorageFactory } from './support/testStorage.js'

// A real Credo agent whose only storage is this package: Credo's own repositories save and
// query their own record types through it.
describe.each<[string, TestStorageFactory]>([
  ['PostgreSQL', createPostgresTestStorage],
  ['PGlite', createPgliteTestStorage],
])('a Credo agent on the storage service (%s)', (_engine, factory) => {
  it('creates a did:key, then finds its DidRecord and generic records by query', async () => {
    const storage = await factory()
    const agent = new Agent({
      config: { logger: undefined },
      dependencies: agentDependencies,
      modules: {
        storage: new PostgresStorageModule(storage.storageService),
        kms: new Kms.KeyManagementModule({
          backends: [new NodeKeyManagementService(new NodeInMemoryKeyManagementStorage())],
        }),
      },
    })
    try {
      await agent.initialize()
      const key = await agent.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
      const created = await agent.dids.create({ method: 'key', options: { keyId: key.keyId } })
      const did = created.didState.did
      expect(did).toMatch(/^did:key:z/)

      const dids = await agent.dids.getCreatedDids({ method: 'key' })
      expect(dids.map((record) => record.did)).toEqual([did])
      expect(dids[0]).toBeInstanceOf(DidRecord)
      expect(await agent.dids.getCreatedDids({ method: 'jwk' })).toEqual([])

      const resolved = await agent.dids.resolve(did as string)
      expect(resolved.didDocument?.id).toBe(did)

      await agent.genericRecords.save({ content: { course: 'maths' }, tags: { student: 's1' } })
      await agent.genericRecords.save({ content: { course: 'physics' }, tags: { student: 's2' } })
      const found = await agent.genericRecords.findAllByQuery({ student: 's2' })
      expect(found.map((record) => record.content)).toEqual([{ course: 'physics' }])

      // Rows landed in the agent's tenant partition ('default' for the root context).
      const { rows } = await storage.admin.query<{ tenant_id: string; record_type: string }>(
        `SELECT DISTINCT tenant_id, record_type FROM "${storage.schema}".records ORDER BY record_type`,
      )
      expect(rows).toEqual(
        expect.arrayContaining([
          { tenant_id: 'default', record_type: 'DidRecord' },
          { tenant_id: 'default', record_type: 'GenericRecord' },
        ]),
      )
    } finally {
      await agent.shutdown()
      await storage.dispose()
    }
  })
})
