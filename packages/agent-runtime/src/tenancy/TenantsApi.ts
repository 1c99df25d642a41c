import { type AgentContext, injectable, type Query } from '@credo-ts/core'
import { updateWithLock } from '../records/storage.js'
import { contextCorrelationIdOf } from './contextCorrelationId.js'
import { TenantAgentContextProvider } from './TenantAgentContextProvider.js'
import { TenantRecord } from './TenantRecord.js'
import { TenantRepository } from './TenantRepository.js'

/** The tenant-record tag and metadata key under which Credo's openid4vc keeps a tenant's issuer and verifier ids. */
const ACTOR_IDS = '_openid4vc/openId4VcActorIds'
/** How long an instance trusts its memory of which tenant an issuer or verifier id belongs to. */
const ACTOR_ROUTE_TTL_MILLIS = 60_000

const union = (a: string[], b: string[]) => [...new Set([...a, ...b])]

/**
 * Tenants: create, find, update, delete, and get a tenant's agent context. Tenant records
 * always live in the root context, whichever context this API was resolved from. Credo's
 * openid4vc router uses `findTenantsByQuery`, `getTenantById`, `updateTenant` and
 * `rootAgentContext` to route each issuer or verifier id to its tenant.
 */
@injectable()
export class TenantsApi {
  /** Issuer or verifier id → its tenant, as last read (an id never moves to another tenant). */
  private readonly actorRoutes = new Map<string, { tenant: TenantRecord; until: number }>()

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

  /**
   * Tenants matching `query`. The router's question, "whose issuer or verifier id is this?", is
   * asked on every protocol request; its answer is remembered for a minute per instance.
   */
  public async findTenantsByQuery(query: Query<TenantRecord>): Promise<TenantRecord[]> {
    const keys = Object.keys(query)
    const actorIds = (query as Record<string, unknown>)[ACTOR_IDS]
    if (keys.length !== 1 || !Array.isArray(actorIds) || actorIds.length !== 1) {
      return this.repository.findByQuery(this.rootAgentContext, query)
    }
    const actorId = String(actorIds[0])
    const remembered = this.actorRoutes.get(actorId)
    if (remembered && remembered.until > Date.now()) return [remembered.tenant]
    const found = await this.repository.findByQuery(this.rootAgentContext, query)
    if (found.length === 1 && found[0]) {
      if (this.actorRoutes.size >= 10_000) this.actorRoutes.clear()
      this.actorRoutes.set(actorId, { tenant: found[0], until: Date.now() + ACTOR_ROUTE_TTL_MILLIS })
    }
    return found
  }

  /**
   * Saves a changed tenant record. Its API keys (less the revoked ones) and its issuer and verifier ids are merged
   * into the stored record under a row lock, so that two writers holding copies (a new API key,
   * Credo registering a new issuer) never lose each other's additions; both lists only grow here.
   */
  public async updateTenant(tenant: TenantRecord): Promise<void> {
    const merged = await updateWithLock(this.rootAgentContext, TenantRecord, tenant.id, (stored) => {
      stored.label = tenant.label
      // A revoked key stays revoked, whatever copy the writer held.
      const revoked = new Set(union(stored.revokedApiKeyHashes ?? [], tenant.revokedApiKeyHashes ?? []))
      stored.revokedApiKeyHashes = [...revoked]
      stored.apiKeyHashes = union(stored.apiKeyHashes, tenant.apiKeyHashes).filter((hash) => !revoked.has(hash))
      const known = new Map([...(tenant.apiKeys ?? []), ...(stored.apiKeys ?? [])].map((key) => [key.hash, key]))
      stored.apiKeys = [...known.values()].filter((key) => !revoked.has(key.hash))
      const actorIds = union(
        (stored.metadata.get(ACTOR_IDS) as string[] | null) ?? [],
        (tenant.metadata.get(ACTOR_IDS) as string[] | null) ?? [],
      )
      if (actorIds.length > 0) {
        stored.metadata.set(ACTOR_IDS, actorIds)
        stored.setTag(ACTOR_IDS, actorIds)
      }
      return stored
    })
    tenant.apiKeyHashes = merged.apiKeyHashes
    tenant.apiKeys = merged.apiKeys
    tenant.revokedApiKeyHashes = merged.revokedApiKeyHashes
    const actorIds = merged.metadata.get(ACTOR_IDS)
    if (actorIds) {
      tenant.metadata.set(ACTOR_IDS, actorIds)
      tenant.setTag(ACTOR_IDS, actorIds as string[])
    }
  }

  /**
   * Registers an issuer or verifier id as the tenant's, so that protocol requests naming it are
   * routed to the tenant (ids are merged under the tenant record's row lock).
   */
  public async addActorId(tenantId: string, actorId: string): Promise<void> {
    const tenant = await this.getTenantById(tenantId)
    const actorIds = (tenant.metadata.get(ACTOR_IDS) as string[] | null) ?? []
    if (actorIds.includes(actorId)) return // added by an earlier attempt of the same call
    tenant.metadata.set(ACTOR_IDS, [...actorIds, actorId])
    await this.updateTenant(tenant)
  }

  /** The tenant that owns an issuer or verifier id, or null (remembered per instance for a minute). */
  public async findTenantOfActor(actorId: string): Promise<TenantRecord | null> {
    const found = await this.findTenantsByQuery({ [ACTOR_IDS]: [actorId] } as Query<TenantRecord>)
    return found.length === 1 ? (found[0] as TenantRecord) : null
  }

  /** The tenant's agent context: resolve Credo APIs from its dependency manager to act as the tenant. */
  public getTenantAgentContext(tenantId: string): Promise<AgentContext> {
    return this.provider.getAgentContextForContextCorrelationId(contextCorrelationIdOf(tenantId))
  }

  /** Deletes the tenant and, through its context, all of its records. */
  public async deleteTenantById(tenantId: string): Promise<void> {
    const tenant = await this.getTenantById(tenantId)
    const context = await this.getTenantAgentContext(tenantId)
    await this.provider.deleteAgentContext(context)
    await this.repository.delete(this.rootAgentContext, tenant)
    for (const [actorId, route] of this.actorRoutes) {
      if (route.tenant.id === tenantId) this.actorRoutes.delete(actorId)
    }
  }
}
