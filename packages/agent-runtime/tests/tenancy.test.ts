import { PostgresDatabase } from '@attesto/storage-service'
import { DidsApi, Kms, RecordNotFoundError } from '@credo-ts/core'
import { OpenId4VcIssuerApi } from '@credo-ts/openid4vc'
import { TenantsModule } from '../src/tenancy/TenantsModule.js'
import { DATABASE_URL, holderAgent, startIssuer } from './support/testRuntimes.js'

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

    // Tenant A acts through APIs resolved from its own context.
    const kmsA = contextA.dependencyManager.resolve(Kms.KeyManagementApi)
    const didsA = contextA.dependencyManager.resolve(DidsApi)
    const issuerApiA = contextA.dependencyManager.resolve(OpenId4VcIssuerApi)
    const key = await kmsA.createKey({ type: { kty: 'EC', crv: 'P-256' } })
    const { didState } = await didsA.create({ method: 'key', options: { keyId: key.keyId } })
    const issuerDidUrl = didState.didDocument?.verificationMethod?.[0]?.id as string
    const { issuerId } = await issuerApiA.createIssuer({
      credentialConfigurationsSupported: {
        diploma: {
          format: 'dc+sd-jwt',
          vct: 'https://attesto.example/diploma',
          cryptographic_binding_methods_supported: ['jwk'],
          credential_signing_alg_values_supported: ['ES256'],
          proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256'] } },
        },
      },
    })
    const { credentialOffer } = await issuerApiA.createCredentialOffer({
      issuerId,
      credentialConfigurationIds: ['diploma'],
      preAuthorizedCodeFlowConfig: {},
      issuanceMetadata: { issuerDidUrl, claims: { degree: 'BSc' } },
    })

    // The wallet knows nothing of tenants: the issuer id in the URLs is enough to be routed.
    const holder = wallet.agent
    const resolved = await holder.openid4vc.holder.resolveCredentialOffer(credentialOffer)
    const token = await holder.openid4vc.holder.requestToken({ resolvedCredentialOffer: resolved })
    const { credentials } = await holder.openid4vc.holder.requestCredentials({
      resolvedCredentialOffer: resolved,
      ...token,
      credentialBindingResolver: async () => {
        const holderKey = await holder.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
        return { method: 'jwk', keys: [Kms.PublicJwk.fromPublicJwk(holderKey.publicJwk)] }
      },
    })
    expect(credentials).toHaveLength(1)

    // Tenant B sees none of it.
    const issuerApiB = contextB.dependencyManager.resolve(OpenId4VcIssuerApi)
    expect(await issuerApiB.getAllIssuers()).toEqual([])
    await expect(issuerApiB.getIssuerByIssuerId(issuerId)).rejects.toBeInstanceOf(RecordNotFoundError)
    const kmsB = contextB.dependencyManager.resolve(Kms.KeyManagementApi)
    await expect(kmsB.sign({ keyId: key.keyId, algorithm: 'ES256', data: new Uint8Array([1]) })).rejects.toBeInstanceOf(
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
