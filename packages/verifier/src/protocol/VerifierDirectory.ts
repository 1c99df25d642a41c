import type { TenantsApi } from '@attesto/agent-runtime'
import type { AgentContext } from '@credo-ts/core'
import { type VerifierProfile, verifierProfiles } from '../verification/verifierDocuments.js'

const MAX_REMEMBERED = 10_000
/** How long an instance uses a verifier's profile before it reads it again (a certificate uploaded elsewhere). */
export const PROFILE_CACHE_MILLIS = 10_000

export interface ResolvedVerifier {
  tenantContext: AgentContext
  profile: VerifierProfile
}

/**
 * Which tenant a verifier id belongs to, and its profile, for the anonymous protocol endpoints.
 * Both are remembered per instance for {@link PROFILE_CACHE_MILLIS}, so a protocol request
 * rarely costs a statement to find its verifier; a change made through this instance is seen at
 * once, one made through another (a certificate uploaded, renewed or removed) within that time,
 * or at once where a request needs what the remembered profile lacks (callers `forget` then).
 */
export class VerifierDirectory {
  private readonly remembered = new Map<string, { found: Promise<ResolvedVerifier | null>; until: number }>()

  public constructor(private readonly tenants: TenantsApi) {}

  /** Adds a new verifier id to its tenant's record, so that the protocol endpoints find it. */
  public register(tenantId: string, verifierId: string): Promise<void> {
    return this.tenants.addActorId(tenantId, verifierId)
  }

  /** The verifier and its tenant, or null when no tenant has it. */
  public resolve(verifierId: string): Promise<ResolvedVerifier | null> {
    const entry = this.remembered.get(verifierId)
    if (entry && entry.until > Date.now()) return entry.found
    const found = this.lookUp(verifierId)
    if (this.remembered.size >= MAX_REMEMBERED) this.remembered.clear()
    this.remembered.set(verifierId, { found, until: Date.now() + PROFILE_CACHE_MILLIS })
    // Failures and misses are not remembered: the id may be created a moment later.
    found.then(
      (value) => value ?? this.remembered.delete(verifierId),
      () => this.remembered.delete(verifierId),
    )
    return found
  }

  /** Replaces what this instance remembers of a verifier (after its profile changed). */
  public remember(tenantContext: AgentContext, profile: VerifierProfile): void {
    this.remembered.set(profile.verifierId, {
      found: Promise.resolve({ tenantContext, profile }),
      until: Date.now() + PROFILE_CACHE_MILLIS,
    })
  }

  /** Reads the profile again next time (another instance may have added its encryption key or certificate). */
  public forget(verifierId: string): void {
    this.remembered.delete(verifierId)
  }

  private async lookUp(verifierId: string): Promise<ResolvedVerifier | null> {
    const tenant = await this.tenants.findTenantOfActor(verifierId)
    if (!tenant) return null
    const tenantContext = await this.tenants.getTenantAgentContext(tenant.id)
    const profile = await verifierProfiles.find(tenantContext, verifierId)
    return profile ? { tenantContext, profile } : null
  }
}
