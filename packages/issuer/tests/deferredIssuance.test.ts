import { randomBytes } from 'node:crypto'
import { HolderWallet } from '@attesto/holder'
import { PostgresDatabase } from '@attesto/storage-service'
import { DATABASE_URL, REDIS_URL, silentLogger, startService } from '@attesto/testing'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { loadBatchConfig } from '../src/batches/batchConfig.js'
import { tenantWithIssuer } from './support/issuerFixture.js'

// Deferred issuance end to end: the issuer REST API (real PostgreSQL, Redis for the approval
// queue, its worker in this process) and the holder SDK, which polls the deferred credential
// endpoint until the back office has approved the claims.

describe('deferred issuance', () => {
  let service: Awaited<ReturnType<typeof startService<IssuerRuntime>>>
  let wallet: HolderWallet
  let key = ''
  const walletSchema = `wallet_${randomBytes(6).toString('hex')}`
  const admin = new PostgresDatabase({ connectionString: DATABASE_URL, maxConnections: 1 })
  let issuerId = ''
  const call = (...args: Parameters<typeof service.call>) => service.call(...args)

  beforeAll(async () => {
    service = await startService(
      'issuer',
      (config, logger) => createIssuerApp(config, logger, loadBatchConfig({ DEFERRED_INTERVAL_SECONDS: '1' })),
      // Access tokens live 2 s here, so that collecting the credential needs a refreshed one.
      { REDIS_URL, QUEUE_PREFIX: `test${randomBytes(4).toString('hex')}`, ACCESS_TOKEN_TTL_SECONDS: '2' },
    )
    service.runtime.deferredClaims?.startWorking(service.runtime.offers.sessions, silentLogger)
    wallet = await HolderWallet.open({
      databaseUrl: DATABASE_URL,
      databaseSchema: walletSchema,
      walletId: 'deferred',
      passphrase: 'deferred test',
      allowInsecureHttp: true,
    })
    ;({ key, issuerId } = await tenantWithIssuer(service, {
      label: 'Registry',
      configurationId: 'licence',
      vct: 'urn:attesto:test:licence',
      deferred: true,
      claims: [
        { name: 'holder_name', type: 'string', required: true },
        { name: 'category', type: 'string', required: true },
      ],
    }))
  })
  afterAll(async () => {
    await wallet?.close()
    await service?.close()
    await admin.query(`DROP SCHEMA IF EXISTS ${walletSchema} CASCADE`)
    await admin.close()
  })

  it('defers the credential until its claims are approved, and the wallet collects it', async () => {
    const offer = await call('POST', '/offers', key, { issuerId, credentialConfigurationId: 'licence' })
    expect(offer.status).toBe(201)

    expect(await wallet.acceptOffer(offer.body.uri)).toEqual([])
    const [pending] = await wallet.pendingCredentials()
    expect(pending).toMatchObject({ credentialConfigurationId: 'licence' })
    expect((await call('GET', `/offers/${offer.body.offerId}`, key)).body.status).toBe('credential_pending')
    // The wallet's rows as stored: the deferred credential's access and refresh tokens (JWTs) and
    // its fields are sealed.
    const { rows } = await admin.query<{ value: string }>(
      `SELECT value::text AS value FROM ${walletSchema}.records WHERE tenant_id = 'deferred'`,
    )
    expect(rows.length).toBeGreaterThan(0)
    for (const clear of ['eyJ', 'accessToken', 'refreshToken', 'licence', 'Registry']) {
      expect(JSON.stringify(rows)).not.toContain(clear)
    }

    // Not approved yet: asking again gives nothing.
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    expect(await wallet.collectDeferredCredentials()).toEqual([])
    expect(await wallet.pendingCredentials()).toHaveLength(1)

    // The back office approves; bad claims are refused with the claim's name.
    const bad = await call('PUT', `/offers/${offer.body.offerId}/claims`, key, { claims: { holder_name: 'Ada' } })
    expect(bad.body.error).toEqual({ code: 'claim_missing', message: "Claim 'category' is required" })
    await new Promise((resolve) => setTimeout(resolve, 1_500)) // the wallet's access token has expired
    const approved = await call('PUT', `/offers/${offer.body.offerId}/claims`, key, {
      claims: { holder_name: 'Ada Lovelace', category: 'B' },
    })
    expect(approved.status).toBe(202)

    const [credential] = await wallet.waitForDeferredCredentials({ timeoutMillis: 15_000 })
    expect(credential).toMatchObject({
      vct: 'urn:attesto:test:licence',
      claims: { holder_name: 'Ada Lovelace', category: 'B' },
    })
    expect(await wallet.pendingCredentials()).toEqual([])
    expect(await wallet.listCredentials({ vct: 'urn:attesto:test:licence' })).toHaveLength(1)
    expect((await call('GET', `/offers/${offer.body.offerId}`, key)).body.status).toBe('credential_issued')
    expect(
      (await call('PUT', `/offers/${offer.body.offerId}/claims`, key, { claims: { holder_name: 'X', category: 'A' } }))
        .body.error.code,
    ).toBe('claims_already_approved')
  }, 30_000)

  it('issues at once when a deferred offer carries its claims, and refuses approving an ordinary offer', async () => {
    const offer = await call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'licence',
      claims: { holder_name: 'Grace Hopper', category: 'C' },
    })
    const [credential] = await wallet.acceptOffer(offer.body.uri)
    expect(credential?.claims).toMatchObject({ holder_name: 'Grace Hopper' })
    const refused = await call('PUT', `/offers/${offer.body.offerId}/claims`, key, {
      claims: { holder_name: 'X', category: 'A' },
    })
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('offer_not_deferred')
  })
})
