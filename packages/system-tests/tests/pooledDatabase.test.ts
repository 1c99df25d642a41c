import {
  pgBouncerInstalled,
  postgresServerInstalled,
  statementCensus,
  tablesWithoutTenant,
  uniqueKeysWithoutTenant,
} from '@attesto/test-servers'
import { VCT } from '@attesto/testing'
import { APP_ROLE, PooledDatabaseScene, SCHEMAS } from './support/pooledDatabaseScene.js'
import { switchUnderLoad } from './support/switchUnderLoad.js'

// Issuance and verification through PgBouncer in transaction mode, with the verifier's lists on a
// streaming replica; the statements the flows issued, checked for distribution by tenant (Citus);
// then a primary switch under load. Under CI a missing PostgreSQL or PgBouncer fails this suite.

const run = (postgresServerInstalled && pgBouncerInstalled) || process.env.CI === 'true' ? describe : describe.skip
const DEGREE = {
  query: {
    credentials: [{ id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [VCT] }, claims: [{ path: ['degree'] }] }],
  },
}

run('PostgreSQL behind PgBouncer (transaction pooling), a streaming replica, a primary switch', () => {
  let scene: PooledDatabaseScene
  let bank: { key: string; verifierId: string }
  let university: { key: string; issuerId: string }

  beforeAll(async () => {
    scene = await PooledDatabaseScene.start()
  }, 240_000)

  afterAll(async () => {
    await scene?.close()
  })

  async function makeOffer(key: string, issuerId: string, given_name = 'Ada') {
    return scene.ok('issuer', 'POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'diploma',
      claims: { given_name, degree: 'MSc' },
    })
  }

  it('issues and verifies through PgBouncer, each tenant behind its wall, lists from the replica', async () => {
    const key = (await scene.ok('issuer', 'POST', '/tenants', scene.adminApiKey, { label: 'University' })).apiKey
    const issuer = await scene.ok('issuer', 'POST', '/issuers', key, {})
    await scene.ok('issuer', 'PUT', `/issuers/${issuer.issuerId}/credential-configurations/diploma`, key, {
      vct: VCT,
      claims: [
        { name: 'given_name', type: 'string' },
        { name: 'degree', type: 'string' },
      ],
    })
    university = { key, issuerId: issuer.issuerId }
    const offer = await makeOffer(key, issuer.issuerId)
    const [credential] = await scene.wallet.acceptOffer(offer.uri)
    expect(credential?.claims).toEqual({ given_name: 'Ada', degree: 'MSc' })
    // Issued, and the wallet said it kept it (its credential_accepted notification).
    expect((await scene.ok('issuer', 'GET', `/offers/${offer.offerId}`, key)).status).toBe('credential_accepted')

    const bankKey = (await scene.ok('verifier', 'POST', '/tenants', scene.adminApiKey, { label: 'Bank' })).apiKey
    const { verifierId } = await scene.ok('verifier', 'POST', '/verifiers', bankKey, {})
    bank = { key: bankKey, verifierId }
    await scene.ok('verifier', 'PUT', `/trusted-issuers/${encodeURIComponent(issuer.did)}`, bankKey, {})
    const request = await scene.ok('verifier', 'POST', '/presentation-requests', bankKey, { verifierId, dcql: DEGREE })
    expect((await scene.wallet.present(request.uri)).accepted).toBe(true)
    const result = await scene.ok('verifier', 'GET', `/presentation-requests/${request.requestId}`, bankKey)
    expect(result.status).toBe('verified')
    expect(result.credentials[0].claims).toEqual({ degree: 'MSc' })

    // Another tenant, on the same few pooled server connections, sees none of the bank's rows.
    const other = (await scene.ok('verifier', 'POST', '/tenants', scene.adminApiKey, { label: 'Other' })).apiKey
    expect((await scene.call('verifier', 'GET', `/presentation-requests/${request.requestId}`, other)).status).toBe(404)

    // The list comes from the standby (synchronous, remote_apply: it has the request already).
    const list = await scene.ok('verifier', 'GET', '/presentation-requests', bankKey)
    expect(list.presentationRequests.map((item: { requestId: string }) => item.requestId)).toContain(request.requestId)
    expect(
      scene.standby.sql(
        `SELECT count(*) > 0 FROM pg_stat_activity WHERE application_name = 'attesto-verifier:replica' AND usename = '${APP_ROLE}'`,
      ),
    ).toBe('t')

    // PgBouncer multiplexed the services' client connections onto its transaction pool.
    const pools = await scene.bouncer.admin('SHOW POOLS')
    const appPool = pools.find((pool) => pool.user === APP_ROLE)
    expect(appPool?.pool_mode).toBe('transaction')
    const serverConnections = Number(
      scene.primary.sql(`SELECT count(*) FROM pg_stat_activity WHERE usename = '${APP_ROLE}'`),
    )
    expect(serverConnections).toBeGreaterThan(0)
    expect(serverConnections).toBeLessThanOrEqual(8)
  }, 120_000)

  it('keeps the tenant key in every unique key, and every statement of the flows on one tenant', () => {
    for (const schema of Object.values(SCHEMAS)) {
      expect(uniqueKeysWithoutTenant(scene.primary, schema)).toEqual([])
      // schema_migrations: a reference table under Citus (a handful of rows, the same on every node).
      expect(tablesWithoutTenant(scene.primary, schema)).toEqual(['schema_migrations'])
      const census = statementCensus(scene.primary, schema)
      expect(census.unscoped).toEqual([])
      expect(census.tenantScoped.length).toBeGreaterThan(5)
    }
    // The expired-row purge is the one statement marked cluster-wide; it ran on start.
    const purges = [...Object.values(SCHEMAS)].flatMap((schema) => statementCensus(scene.primary, schema).clusterWide)
    expect(purges.every((text) => text.includes('purge_expired_records'))).toBe(true)
  })

  it('switches the primary under load: 503 while it happens, never 500, no acknowledged write lost', async () => {
    const report = await switchUnderLoad(scene, {
      verifier: () =>
        scene.call('verifier', 'POST', '/presentation-requests', bank.key, {
          verifierId: bank.verifierId,
          dcql: DEGREE,
        }),
      issuer: () =>
        scene.call('issuer', 'POST', '/offers', university.key, {
          issuerId: university.issuerId,
          credentialConfigurationId: 'diploma',
          claims: { given_name: 'Bo', degree: 'BSc' },
        }),
    })
    console.log(
      `primary switch: ${report.acknowledged} writes acknowledged (${report.acknowledgedDuringSwitch} after the stop), ` +
        `${report.unavailable} answered 503, unavailable for ${report.unavailableMillis} ms ` +
        `(stop ${report.stopMillis} ms, promote ${report.promoteMillis} ms, PgBouncer re-pointed ${report.repointMillis} ms); ` +
        `lost acknowledged writes: ${report.lost.length}`,
    )
    expect(report.otherStatuses).toEqual([])
    expect(
      report.unavailableCodes.every((code) => ['dependency_unavailable', 'temporarily_unavailable'].includes(code)),
    ).toBe(true)
    expect(report.lost).toEqual([])
    expect(report.unavailableMillis).toBeLessThan(20_000)

    // Reads and the whole flow work on the new primary.
    const offer = await makeOffer(university.key, university.issuerId, 'Cy')
    expect((await scene.wallet.acceptOffer(offer.uri))[0]?.claims).toEqual({ given_name: 'Cy', degree: 'MSc' })
  }, 120_000)
})
