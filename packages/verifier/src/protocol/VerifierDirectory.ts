import type { TenantsApi } from '@attesto/agent-runtime'
import type { AgentContext } from '@credo-ts/core'
import { type VerifierProfile, verifierProfiles } from '../verification/verifierDocuments.js'

const MAX_REMEMBERED = 10_000

export interface ResolvedVerifier {
  tenantContext: AgentContext
  profile: VerifierProfile
}

/**
 * Which tenant a verifier id belongs to, and its profile, for the anonymous protocol endpoints.
 * A verifier never moves to another tenant and its profile does not change (but for the
 * encryption key earlier versions gave it, see verifierKeyDecryption.ts), so both are remembered
 * per instance: a protocol request costs no statement to find its verifier.
 */
export class VerifierDirectory {
  private readonly remembered = new Map<string, Promise<ResolvedVerifier | null>>()

  public constructor(private readonly tenants: TenantsApi) {}

  /** Adds a new verifier id to its tenant's record, so that the protocol endpoints find it. */
  public register(tenantId: string, verifierId: string): Promise<void> {
    return this.tenants.addActorId(tenantId, verifierId)
  }

  /** The verifier and its tenant, or null when no tenant has it. */
  public resolve(verifierId: string): Promise<ResolvedVerifier | null> {
    let found = this.remembered.get(verifierId)
    if (!found) {
      found = this.lookUp(verifierId)
      if (this.remembered.size >= MAX_REMEMBERED) this.remembered.clear()
      this.remembered.set(verifierId, found)
      // Failures and misses are not remembered: the id may be created a moment later.
      found.then(
        (value) => value ?? this.remembered.delete(verifierId),
        () => this.remembered.delete(verifierId),
      )
    }
    return found
  }

  /** Reads the profile again (an instance of an earlier version may have added its encryption key). */
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
