import { TenantsModule } from '@attesto/agent-runtime'
import { PostgresDatabase } from '@attesto/storage-service'
import { createDiplomaOffer, DATABASE_URL, holderAgent, redeemOffer, startIssuer } from '@attesto/testing'
import { Kms, RecordNotFoundError } from '@credo-ts/core'
import { OpenId4VcIssuerApi } from '@credo-ts/openid4vc'

// Two tenants on one issuer instance: each has its own agent context, storage partition and
// KMS keys, and Credo's OID4VCI endpoints route each issuer id to the tenant that owns it.

describe('tenancy on the issuer runtime', () => {
  let issuer: Awaited<ReturnType<typeof startIssuer<{ tenants: TenantsModule }>>>
  let wallet: Awaited<ReturnType<typeof holderAgent>>

  beforeAll(async () => {
    issuer = await startIssuer(() => ({ tenants: new TenantsModule() }))
    wallet = await holderAgent()
  })
  afterAll(async () => {
    await wallet?.close()
    await issuer?.close()
  })

  it('routes an offer of tenant A to tenant A, and keeps A’s records and keys out of B’s reach', async () => {
    const tenants = issuer.runtime.agent.modules.tenants
    const tenantA = await tenants.createTenant({ label: 'University A' })
    const tenantB = await tenants.createTenant({ label: 'Ministry B' })
    const contextA = await tenants.getTenantAgentContext(tenantA.id)
    const contextB = await tenants.getTenantAgentContext(tenantB.id)
    expect(contextA.contextCorrelationId).toBe(`tenant-${tenantA.id}`)

    // Tenant A acts through APIs resolved from its own context; the wallet knows nothing of
    // tenants: the issuer id in the URLs is enough to be routed.
    const { credentialOffer, issuerId, keyId } = await createDiplomaOffer(contextA, { degree: 'BSc' })
    expect(await redeemOffer(wallet.agent, credentialOffer)).toHaveLength(1)

    // Tenant B sees none of it.
    const issuerApiB = contextB.dependencyManager.resolve(OpenId4VcIssuerApi)
    expect(await issuerApiB.getAllIssuers()).toEqual([])
    await expect(issuerApiB.getIssuerByIssuerId(issuerId)).rejects.toBeInstanceOf(RecordNotFoundError)
    const kmsB = contextB.dependencyManager.resolve(Kms.KeyManagementApi)
    await expect(kmsB.sign({ keyId, algorithm: 'ES256', data: new Uint8Array([1]) })).rejects.toBeInstanceOf(
      Kms.KeyManagementKeyNotFoundError,
    )

    // In the database, A's issuer, session and key rows carry A's partition.
    const admin = new PostgresDatabase({ connectionString: DATABASE_URL, maxConnections: 1 })
    try {
      const { rows } = await admin.query<{ tenant_id: string; record_type: string }>(
        `SELECT DISTINCT tenant_id, record_type FROM "${issuer.schema}".records
         WHERE record_type IN ('OpenId4VcIssuerRecord', 'OpenId4VcIssuanceSessionRecord', 'LocalKmsKeyRecord')`,
      )
      expect(rows.length).toBe(3)
      expect(rows.every((row) => row.tenant_id === contextA.contextCorrelationId)).toBe(true)
    } finally {
      await admin.close()
    }
  })

  it('keeps every issuer id when one tenant creates many issuers at once, and new API keys too', async () => {
    const tenants = issuer.runtime.agent.modules.tenants
    const tenant = await tenants.createTenant({ label: 'Busy' })
    const context = await tenants.getTenantAgentContext(tenant.id)
    const issuerApi = context.dependencyManager.resolve(OpenId4VcIssuerApi)
    // Each creation reads the tenant record, adds its id and writes it back: without the merge
    // under a row lock, concurrent writers would overwrite each other.
    const created = await Promise.all(
      Array.from({ length: 8 }, () => issuerApi.createIssuer({ credentialConfigurationsSupported: {} })),
    )
    for (const { issuerId } of created) {
      const [owner] = await tenants.findTenantsByQuery({ '_openid4vc/openId4VcActorIds': [issuerId] })
      expect(owner?.id).toBe(tenant.id)
    }
    const stored = await tenants.getTenantById(tenant.id)
    expect(stored.metadata.get('_openid4vc/openId4VcActorIds')).toHaveLength(8)

    const { issueTenantApiKey } = await import('@attesto/agent-runtime')
    await Promise.all([
      issueTenantApiKey(tenants, tenant),
      issueTenantApiKey(tenants, await tenants.getTenantById(tenant.id)),
    ])
    expect((await tenants.getTenantById(tenant.id)).apiKeyHashes).toHaveLength(2)
  })

  it('refuses the context of a tenant that does not exist', async () => {
    await expect(issuer.runtime.agent.modules.tenants.getTenantAgentContext('no-such-tenant')).rejects.toBeInstanceOf(
      RecordNotFoundError,
    )
  })

  it('deletes a tenant with all of its records', async () => {
    const tenants = issuer.runtime.agent.modules.tenants
    const tenant = await tenants.createTenant({ label: 'Short-lived' })
    const context = await tenants.getTenantAgentContext(tenant.id)
    await context.dependencyManager.resolve(Kms.KeyManagementApi).createKey({ type: { kty: 'EC', crv: 'P-256' } })
    expect(await issuer.runtime.storage.storageService.tenantHasRecords(context.contextCorrelationId)).toBe(true)
    await tenants.deleteTenantById(tenant.id)
    expect(await issuer.runtime.storage.storageService.tenantHasRecords(context.contextCorrelationId)).toBe(false)
    await expect(tenants.getTenantById(tenant.id)).rejects.toBeInstanceOf(RecordNotFoundError)
  })
})
