import { type AgentContext, injectable, type Query } from '@credo-ts/core'
import { TenantAgentContextProvider } from './TenantAgentContextProvider.js'
import { TenantRecord } from './TenantRecord.js'
import { TenantRepository } from './TenantRepository.js'

/**
 * Tenants: create, find, update, delete, and get a tenant's agent context. Tenant records
 * always live in the root context, whichever context this API was resolved from. Credo's
 * openid4vc router uses `findTenantsByQuery`, `getTenantById`, `updateTenant` and
 * `rootAgentContext` to route each issuer or verifier id to its tenant.
 */
@injectable()
export class TenantsApi {
  public constructor(
    private readonly provider: TenantAgentContextProvider,
    private readonly repository: TenantRepository,
  ) {}

  public get rootAgentContext(): AgentContext {
    return this.provider.rootAgentContext
  }

  public async createTenant(options: { label: string; id?: string }): Promise<TenantRecord> {
    const tenant = new TenantRecord(options)
    await this.repository.save(this.rootAgentContext, tenant)
    return tenant
  }

  public getTenantById(tenantId: string): Promise<TenantRecord> {
    return this.repository.getById(this.rootAgentContext, tenantId)
  }

  public findTenantsByQuery(query: Query<TenantRecord>): Promise<TenantRecord[]> {
    return this.repository.findByQuery(this.rootAgentContext, query)
  }

  public updateTenant(tenant: TenantRecord): Promise<void> {
    return this.repository.update(this.rootAgentContext, tenant)
  }

  /** The tenant's agent context: resolve Credo APIs from its dependency manager to act as the tenant. */
  public getTenantAgentContext(tenantId: string): Promise<AgentContext> {
    return this.provider.getAgentContextForContextCorrelationId(`tenant-${tenantId}`)
  }

  /** Deletes the tenant and, through its context, all of its records. */
  public async deleteTenantById(tenantId: string): Promise<void> {
    const tenant = await this.getTenantById(tenantId)
    const context = await this.getTenantAgentContext(tenantId)
    await this.provider.deleteAgentContext(context)
    await this.repository.delete(this.rootAgentContext, tenant)
  }
}
