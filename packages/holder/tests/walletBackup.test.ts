import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDegreeRequest, createDiplomaOffer, startIssuer, startVerifier, VCT } from '@attesto/testing'
import { compactVerify, decodeJwt, importJWK, type JWK } from 'jose'
import { HolderWallet } from '../src/HolderWallet.js'
import { codeOf } from './support/codeOf.js'
import { DATABASE_URL, walletDatabase } from './support/walletDatabase.js'

// A whole wallet exported to one encrypted backup and imported at another place, on the real
// PostgreSQL and in embedded storage: the moved wallet lists the same cards and its keys still
// sign (the verifier checks the key binding, and jose checks the KB-JWT against the credential's
// `cnf` key); wrong passphrases, altered backups and occupied places are refused.

/** The KB-JWT of a presented SD-JWT VC, verified with jose under the `cnf` key of its credential. */
async function verifyKeyBinding(presentation: string, credentialRaw: string) {
  const cnf = decodeJwt(credentialRaw.split('~')[0] as string).cnf as { jwk: JWK }
  const kbJwt = presentation.split('~').at(-1) as string
  const { payload } = await compactVerify(kbJwt, await importJWK(cnf.jwk, 'ES256'))
  return JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>
}

describe('wallet backup', () => {
  let issuer: Awaited<ReturnType<typeof startIssuer>>
  let verifier: Awaited<ReturnType<typeof startVerifier>>
  let dataDir: string
  const database = walletDatabase()
  const onPostgres = (walletId: string, passphrase: string) => ({
    databaseUrl: DATABASE_URL,
    databaseSchema: database.schema,
    walletId,
    passphrase,
    allowInsecureHttp: true,
  })

  beforeAll(async () => {
    ;[issuer, verifier, dataDir] = await Promise.all([
      startIssuer(),
      startVerifier(),
      mkdtemp(join(tmpdir(), 'attesto-backup-')),
    ])
  })
  afterAll(() =>
    Promise.all([
      issuer?.close(),
      verifier?.close(),
      database.dispose(),
      rm(dataDir, { recursive: true, force: true }),
    ]),
  )

  /** A wallet on PostgreSQL holding one credential, and its backup under `backup passphrase`. */
  async function exportedWallet(walletId: string) {
    const wallet = await HolderWallet.open(onPostgres(walletId, 'wallet passphrase'))
    const { credentialOffer } = await createDiplomaOffer(issuer.runtime.agent.context, {
      given_name: 'Zyxwvutsrq',
      degree: 'Doctorate in Qwertyology',
    })
    const [received] = await wallet.acceptOffer(credentialOffer)
    const backup = await wallet.exportWallet({ passphrase: 'backup passphrase' })
    return { wallet, received: received as NonNullable<typeof received>, backup }
  }

  it('moves a wallet to another wallet id on PostgreSQL, and the moved wallet presents its credential', async () => {
    const { wallet, received, backup } = await exportedWallet('origin')
    const cards = await wallet.listCredentials()
    expect((await wallet.activity()).map((entry) => entry.type)).toEqual(['wallet_exported', 'offer_accepted'])
    await wallet.close()

    const envelope = JSON.parse(backup)
    expect(envelope).toMatchObject({ format: 'attesto-wallet-backup', version: 1 })
    expect(envelope.kdf).toMatchObject({ algorithm: 'argon2id', memoryKiB: 19 * 1024, iterations: 2, parallelism: 1 })
    expect(Object.keys(envelope).sort()).toEqual(['contents', 'format', 'kdf', 'version', 'wrappedKey'])
    for (const secret of ['Zyxwvutsrq', 'Qwertyology', 'given_name', VCT, received.raw.slice(0, 40), '"d":']) {
      expect(backup).not.toContain(secret)
    }

    const moved = await HolderWallet.importWallet(backup, {
      ...onPostgres('moved', 'new wallet passphrase'),
      backupPassphrase: 'backup passphrase',
    })
    try {
      expect(await moved.listCredentials()).toEqual(cards)
      expect((await moved.activity()).map((entry) => entry.type)).toEqual(['wallet_imported', 'offer_accepted'])
      expect((await moved.activity())[0]?.party).toBe('origin')

      const { authorizationRequest, verificationSession } = await createDegreeRequest(verifier.runtime.agent.context)
      const request = await moved.resolvePresentationRequest(authorizationRequest)
      const answer = await moved.acceptPresentationRequest(request, { diploma: received.id })
      expect(answer.verifierError).toBeUndefined()
      const agent = verifier.runtime.agent
      const session = await agent.openid4vc.verifier.getVerificationSessionById(verificationSession.id)
      expect(session.state).toBe('ResponseVerified')
      const vpToken = session.authorizationResponsePayload?.vp_token as Record<string, string[]>
      const keyBinding = await verifyKeyBinding(vpToken.diploma?.[0] as string, received.raw)
      expect(keyBinding.nonce).toBeDefined()
      // A moved wallet that has presented exports again (every record type it now holds is carried).
      expect(JSON.parse(await moved.exportWallet({ passphrase: 'next backup' })).format).toBe('attesto-wallet-backup')
    } finally {
      await moved.close()
    }

    // Sealed again under the moved wallet's own key: its rows say nothing either.
    const dump = JSON.stringify(await database.rows('moved'))
    for (const secret of ['Zyxwvutsrq', 'Qwertyology', 'given_name', '"d":']) expect(dump).not.toContain(secret)
    await expect(codeOf(HolderWallet.open(onPostgres('moved', 'wallet passphrase')))).resolves.toBe('wrong_passphrase')
  })

  describe('a second wallet', () => {
    let second: Awaited<ReturnType<typeof exportedWallet>>
    const importInto = (blob: string | Uint8Array, backupPassphrase: string, place: object = { dataDir }) =>
      HolderWallet.importWallet(blob, { ...place, passphrase: 'device passphrase', backupPassphrase })

    beforeAll(async () => {
      second = await exportedWallet('second')
    })
    afterAll(async () => {
      await second?.wallet.close()
    })

    it('refuses wrong passphrases and altered backups before anything is written', async () => {
      const { backup } = second
      expect(await codeOf(importInto(backup, 'not the backup passphrase'))).toBe('wrong_passphrase')
      expect(await codeOf(importInto(backup, 'wallet passphrase'))).toBe('wrong_passphrase')

      const envelope = JSON.parse(backup)
      const at = Math.floor(envelope.contents.length / 2)
      const flipped = envelope.contents[at] === 'A' ? 'B' : 'A'
      const contents = `${envelope.contents.slice(0, at)}${flipped}${envelope.contents.slice(at + 1)}`
      expect(await codeOf(importInto(JSON.stringify({ ...envelope, contents }), 'backup passphrase'))).toBe(
        'backup_invalid',
      )
      const bytes = new TextEncoder().encode(backup)
      bytes[0] = 0x5b
      expect(await codeOf(importInto(bytes, 'backup passphrase'))).toBe('backup_invalid')
      expect(await codeOf(importInto(JSON.stringify({ ...envelope, version: 2 }), 'backup passphrase'))).toBe(
        'backup_invalid',
      )
      const costly = { ...envelope, kdf: { ...envelope.kdf, memoryKiB: 8 * 1024 * 1024 } }
      expect(await codeOf(importInto(JSON.stringify(costly), 'backup passphrase'))).toBe('backup_invalid')
      const changed = { ...envelope, kdf: { ...envelope.kdf, iterations: 3 } }
      expect(await codeOf(importInto(JSON.stringify(changed), 'backup passphrase'))).toBe('wrong_passphrase')
    })

    it('never imports onto a wallet, and a locked wallet does not export', async () => {
      const { wallet, received, backup } = second
      expect(await codeOf(importInto(backup, 'backup passphrase', onPostgres('second', 'x')))).toBe('wallet_exists')
      expect((await wallet.listCredentials()).map((card) => card.id)).toEqual([received.id])
      wallet.lock()
      expect(await codeOf(wallet.exportWallet({ passphrase: 'backup passphrase' }))).toBe('wallet_locked')
      await wallet.unlock('wallet passphrase')
      expect(await codeOf(wallet.exportWallet({ passphrase: '' }))).toBe('invalid_options')
    })

    it('imports into embedded storage, which then holds a wallet', async () => {
      const { received, backup } = second
      const imported = await importInto(new TextEncoder().encode(backup), 'backup passphrase')
      expect((await imported.listCredentials()).map((card) => card.claims.given_name)).toEqual(['Zyxwvutsrq'])
      await imported.close()
      const reopened = await HolderWallet.open({ dataDir, passphrase: 'device passphrase', createIfMissing: false })
      expect((await reopened.listCredentials()).map((card) => card.id)).toEqual([received.id])
      await reopened.close()
      // PGlite files opened three times (the check for a wallet, the import, the reopening).
    }, 120_000)
  })
})
