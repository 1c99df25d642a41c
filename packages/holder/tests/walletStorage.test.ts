import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { createDiplomaOffer, startIssuer, VCT } from '@attesto/testing'
import pg from 'pg'
import { HolderWallet } from '../src/HolderWallet.js'
import { codeOf } from './support/codeOf.js'
import { DATABASE_URL, walletDatabase } from './support/walletDatabase.js'

// The wallet's storage as an attacker who copies the database sees it, on the real PostgreSQL:
// sealed records, hashed tags, one key header per wallet; and how a wallet opens, locks, changes
// its passphrase, and stays apart from the other wallets on the same database.

describe('wallet storage', () => {
  let issuer: Awaited<ReturnType<typeof startIssuer>>
  const database = walletDatabase()
  const open = (walletId: string, passphrase: string, extra: object = {}) =>
    HolderWallet.open({
      databaseUrl: DATABASE_URL,
      databaseSchema: database.schema,
      walletId,
      passphrase,
      allowInsecureHttp: true,
      ...extra,
    })

  beforeAll(async () => {
    issuer = await startIssuer()
  })
  afterAll(async () => {
    await issuer?.close()
    await database.dispose()
  })

  it('stores no claim, credential, key or tag value in the clear', async () => {
    const wallet = await open('sealed', 'sealed passphrase')
    const { credentialOffer } = await createDiplomaOffer(issuer.runtime.agent.context, {
      given_name: 'Zyxwvutsrq',
      degree: 'Doctorate in Qwertyology',
    })
    const [received] = await wallet.acceptOffer(credentialOffer)
    expect(received?.claims).toMatchObject({ given_name: 'Zyxwvutsrq' })
    expect(await wallet.activity()).toHaveLength(1)
    await wallet.close()

    const rows = await database.rows('sealed')
    const dump = JSON.stringify(rows)
    for (const secret of ['Zyxwvutsrq', 'Qwertyology', 'given_name', VCT, received?.raw.slice(0, 40) ?? '', '"d":']) {
      expect(dump).not.toContain(secret)
    }
    expect(rows.map((row) => row.record_type)).toEqual(
      expect.arrayContaining(['SdJwtVcRecord', 'LocalKmsKeyRecord', 'GenericRecord', 'AttestoWalletKeyHeader']),
    )
    for (const row of rows.filter((r) => r.record_type !== 'AttestoWalletKeyHeader')) {
      expect(Object.keys(JSON.parse(row.value)).sort()).toEqual(['createdAt', 'id', 'metadata', 'sealed', 'updatedAt'])
      for (const value of Object.values(JSON.parse(row.tags) as Record<string, unknown>)) {
        for (const item of [value].flat()) expect(item).toMatch(/^[A-Za-z0-9_-]{32}$/)
      }
    }
    const reopened = await open('sealed', 'sealed passphrase')
    expect((await reopened.listCredentials({ vct: VCT })).map((c) => c.claims.given_name)).toEqual(['Zyxwvutsrq'])
    await reopened.close()
  })

  it('keeps two wallets on one database apart', async () => {
    const alice = await open('alice', 'same passphrase')
    const { credentialOffer } = await createDiplomaOffer(issuer.runtime.agent.context, { given_name: 'Alice' })
    await alice.acceptOffer(credentialOffer)
    await alice.close()
    const bob = await open('bob', 'same passphrase')
    expect(await bob.listCredentials()).toEqual([])
    expect(await bob.activity()).toEqual([])
    await bob.close()
    const again = await open('alice', 'same passphrase')
    expect((await again.listCredentials()).map((c) => c.claims.given_name)).toEqual(['Alice'])
    await again.close()
    expect(await codeOf(open('alice', 'not alice'))).toBe('wrong_passphrase')
  })

  it('refuses a wallet with no place, or a shared database without a wallet id', async () => {
    expect(await codeOf(HolderWallet.open({ passphrase: 'p' }))).toBe('invalid_options')
    expect(await codeOf(HolderWallet.open({ passphrase: 'p', databaseUrl: DATABASE_URL }))).toBe('invalid_options')
    expect(await codeOf(HolderWallet.open({ passphrase: 'p', inMemory: true, dataDir: '/tmp/x' }))).toBe(
      'invalid_options',
    )
    expect(
      await codeOf(
        HolderWallet.open({
          inMemory: true,
          passphrase: 'p',
          passphraseKdf: { memoryKiB: 1024, iterations: 1, parallelism: 1 },
        }),
      ),
    ).toBe('invalid_options')
  })

  it('opens an existing wallet only with its passphrase, and never makes a second one over it', async () => {
    const wallet = await open('once', 'first passphrase')
    await wallet.close()
    const header = (await database.rows('once')).find((row) => row.record_type === 'AttestoWalletKeyHeader')
    expect(JSON.parse(header?.value ?? '{}').kdf).toMatchObject({
      algorithm: 'argon2id',
      memoryKiB: 19 * 1024,
      iterations: 2,
      parallelism: 1,
    })
    expect(await codeOf(open('once', 'frist passphrase'))).toBe('wrong_passphrase')
    const headers = (await database.rows('once')).filter((row) => row.record_type === 'AttestoWalletKeyHeader')
    expect(headers).toEqual([header])
    expect(await codeOf(open('nobody', 'p', { createIfMissing: false }))).toBe('wallet_not_found')
    expect(await database.rows('nobody')).toEqual([])
  })

  it('locks: keys leave memory, every call fails with wallet_locked until unlocked', async () => {
    const wallet = await open('locking', 'lock passphrase')
    const { credentialOffer } = await createDiplomaOffer(issuer.runtime.agent.context, { given_name: 'Locked' })
    await wallet.acceptOffer(credentialOffer)
    wallet.lock()
    expect(wallet.locked).toBe(true)
    expect(await codeOf(wallet.listCredentials())).toBe('wallet_locked')
    expect(await codeOf(wallet.activity())).toBe('wallet_locked')
    expect(await codeOf(wallet.resolveOffer(credentialOffer))).toBe('wallet_locked')
    expect(await codeOf(wallet.unlock('wrong'))).toBe('wrong_passphrase')
    expect(wallet.locked).toBe(true)
    await wallet.unlock('lock passphrase')
    expect((await wallet.listCredentials()).map((c) => c.claims.given_name)).toEqual(['Locked'])
    await wallet.close()
  })

  it('changes the passphrase by re-wrapping the key: the old one stops working, the data stays', async () => {
    const wallet = await open('changing', 'old passphrase')
    const { credentialOffer } = await createDiplomaOffer(issuer.runtime.agent.context, { given_name: 'Kept' })
    await wallet.acceptOffer(credentialOffer)
    const sealedBefore = (await database.rows('changing')).filter((row) => row.record_type === 'SdJwtVcRecord')
    expect(await codeOf(wallet.changePassphrase('not the old one', 'new passphrase'))).toBe('wrong_passphrase')
    await wallet.changePassphrase('old passphrase', 'new passphrase')
    await wallet.close()
    expect(await codeOf(open('changing', 'old passphrase'))).toBe('wrong_passphrase')
    const reopened = await open('changing', 'new passphrase')
    expect((await reopened.listCredentials()).map((c) => c.claims.given_name)).toEqual(['Kept'])
    await reopened.close()
    expect((await database.rows('changing')).filter((row) => row.record_type === 'SdJwtVcRecord')).toEqual(sealedBefore)
  })

  it('stores its Argon2id parameters and re-wraps under stronger ones when opened with them', async () => {
    const stronger = { memoryKiB: 32 * 1024, iterations: 3, parallelism: 1 }
    await (await open('raised', 'raise passphrase')).close()
    await (await open('raised', 'raise passphrase', { passphraseKdf: stronger })).close()
    const kdfOf = async () =>
      JSON.parse(
        (await database.rows('raised')).find((row) => row.record_type === 'AttestoWalletKeyHeader')?.value ?? '{}',
      ).kdf
    expect(await kdfOf()).toMatchObject(stronger)
    // Opening with the default later keeps the stronger parameters.
    await (await open('raised', 'raise passphrase')).close()
    expect(await kdfOf()).toMatchObject(stronger)
  })

  it('keeps the old passphrase when the process dies in the middle of a change', async () => {
    await (await open('crash', 'old passphrase')).close()
    // Once the wallet is open, another session holds the records table in SHARE mode: the change
    // reads and locks the header row, derives both keys, but its UPDATE waits; then its process
    // is killed.
    const script = fileURLToPath(new URL('./support/changePassphraseProcess.js', import.meta.url))
    const child = spawn(process.execPath, [script, DATABASE_URL, database.schema, 'crash', 'old passphrase', 'new'])
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    while (!output.includes('opened') && child.exitCode === null) await once(child.stdout, 'data')
    const blocker = new pg.Client({ connectionString: DATABASE_URL })
    await blocker.connect()
    let waiting = false
    try {
      await blocker.query('BEGIN')
      await blocker.query(`LOCK TABLE ${database.schema}.records IN SHARE MODE`)
      child.stdin.write('go\n')
      while (!waiting && child.exitCode === null) {
        const { rows } = await database.admin.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity
           WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE %${database.schema}%tenant_records%'`,
        )
        waiting = Number(rows[0]?.n) > 0
        if (!waiting) await new Promise((resolve) => setTimeout(resolve, 50))
      }
      child.kill('SIGKILL')
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit')
    } finally {
      await blocker.query('ROLLBACK')
      await blocker.end()
    }
    expect({ waiting, output }).toEqual({ waiting: true, output: 'opened\n' })

    expect(await codeOf(open('crash', 'new'))).toBe('wrong_passphrase')
    await (await open('crash', 'old passphrase')).close()
  }, 120_000)
})
