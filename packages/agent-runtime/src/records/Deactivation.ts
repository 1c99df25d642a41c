import type { AgentContext } from '@credo-ts/core'
import type { TenantDocumentStore } from './TenantDocumentStore.js'

/** What {@link Deactivation.deactivate} did. */
export interface DeactivationReturn<Deactivated> {
  /** The deactivated record, or null when the id names neither an active nor a deactivated document. */
  record: Deactivated | null
  /** True when this call moved the document (caches of the active documents are stale then). */
  moved: boolean
}

/**
 * The soft delete of a tenant's identity documents (an issuer's or a verifier's profile):
 * deactivating moves the document from the active store to the deactivated one, stamped with the
 * time in `stampField`, so it is kept for the record (its keys stay in the KMS) but is no longer
 * found among the active ones. Repeatable: a retry after a failure part-way finds the deactivated
 * record and finishes. Both roles use it; their REST APIs keep their own words for it
 * (`DELETE /issuers/{id}` answers `deactivated`, `DELETE /verifiers/{id}` answers `deleted`), and
 * so do their stored records (`deactivated-issuer` with `deactivatedAt`, `deleted-verifier` with
 * `deletedAt`).
 */
export class Deactivation<Document extends object, StampField extends string> {
  public constructor(
    private readonly active: TenantDocumentStore<Document>,
    private readonly deactivated: TenantDocumentStore<Document & Record<StampField, string>>,
    private readonly stampField: StampField,
  ) {}

  public async deactivate(
    tenantContext: AgentContext,
    id: string,
  ): Promise<DeactivationReturn<Document & Record<StampField, string>>> {
    const active = await this.active.find(tenantContext, id)
    if (!active) return { record: await this.deactivated.find(tenantContext, id), moved: false }
    const record = { ...active, [this.stampField]: new Date().toISOString() } as Document & Record<StampField, string>
    await this.deactivated.put(tenantContext, id, record)
    await this.active.delete(tenantContext, id)
    return { record, moved: true }
  }
}
