import { readFile } from 'node:fs/promises'
import { migrate } from '@attesto/storage-service'
import { createDegreeRequest, startVerifier, VCT } from '@attesto/testing'
import { HolderWallet } from '../src/HolderWallet.js'
import { DATABASE_URL, type RawRow, walletDatabase } from './support/walletDatabase.js'

// A wallet made by the scrypt version of the SDK (fixtures/scryptWallet.json: its rows as that
// code stored them on PostgreSQL, a credential issued by the test issuer, keys encrypted under
// the scrypt key, everything else in the clear) is moved to sealed storage on its first open.

interface Fixture {
  passphrase: string
  rows: (RawRow & { value: object; tags: object; created_at: string; updated_at: string })[]
}

describe('a wallet of the scrypt version', () => {
  const database = walletDatabase()
  let fixture: Fixture
  let verifier: Awaited<ReturnType<typeof startVerifier>>
  const open = (passphrase: string) =>
    HolderWallet.open({ databaseUrl: DATABASE_URL, databaseSchema: database.schema, walletId: 'default', passphrase })

  beforeAll(async () => {
    fixture = JSON.parse(await readFile(new URL('../../tests/fixtures/scryptWallet.json', import.meta.url), 'utf8'))
    await migrate(database.admin, { schema: database.schema })
    for (const row of fixture.rows) {
      await database.admin.query(
        `INSERT INTO ${database.schema}.records (tenant_id, record_type, id, value, tags, created_at, updated_at)
         VALUES ('default', $1, $2, $3::jsonb, $4::jsonb, $5, $6)`,
        [row.record_type, row.id, JSON.stringify(row.value), JSON.stringify(row.tags), row.created_at, row.updated_at],
      )
    }
    verifier = await startVerifier()
  })
  afterAll(async () => {
    await verifier?.close()
    await database.dispose()
  })

  it('stays as it is under a wrong passphrase', async () => {
    const before = await database.rows('default')
    await expect(open('not the passphrase')).rejects.toMatchObject({ code: 'wrong_passphrase' })
    expect(await database.rows('default')).toEqual(before)
    expect(JSON.stringify(before)).toContain(VCT)
  })

  it('is sealed on its first open, keeps its credential and history, and its key still signs', async () => {
    const wallet = await open(fixture.passphrase)
    try {
      const [credential] = await wallet.listCredentials({ vct: VCT })
      expect(credential?.claims).toMatchObject({ given_name: 'Grace', degree: 'BSc Migrations' })
      expect(await wallet.activity()).toHaveLength(1)

      const rows = await database.rows('default')
      const dump = JSON.stringify(rows)
      for (const clear of [VCT, 'given_name', 'eyJ', 'attesto-wallet-kdf', 'offer_accepted']) {
        expect(dump).not.toContain(clear)
      }
      expect(rows.filter((row) => row.record_type === 'AttestoWalletKeyHeader')).toHaveLength(1)

      const { authorizationRequest, verificationSession } = await createDegreeRequest(verifier.runtime.agent.context)
      const answer = await wallet.present(authorizationRequest)
      expect(answer).toEqual({ accepted: true, presented: { diploma: [credential?.id] } })
      const verified = await verifier.runtime.agent.openid4vc.verifier.getVerifiedAuthorizationResponse(
        verificationSession.id,
      )
      const presentation = verified.dcql?.presentations.diploma?.[0] as unknown as { prettyClaims: object }
      expect(presentation.prettyClaims).toMatchObject({ degree: 'BSc Migrations' })
    } finally {
      await wallet.close()
    }
    // Migrated once: it now opens like any sealed wallet, and only with its passphrase.
    await (await open(fixture.passphrase)).close()
    await expect(open('not the passphrase')).rejects.toMatchObject({ code: 'wrong_passphrase' })
  })
})
