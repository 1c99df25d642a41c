import { DomainError, type ErrorCode } from '@attesto/protocol-kit'
import { type AgentContext, GenericRecordsApi, RecordDuplicateError } from '@credo-ts/core'

/**
 * Small JSON documents a service keeps per tenant (issuer profiles, verifier profiles, trusted
 * issuers), as Credo generic records in the tenant's own partition. A document of another
 * tenant is never found: `get` throws a DomainError with the store's not-found code.
 */
export class TenantDocumentStore<Document extends object> {
  public constructor(
    /** Record id prefix and tag, for example `issuer-profile`. */
    public readonly kind: string,
    /** The catalog code of a document not found, for example `issuer_not_found`. */
    private readonly notFoundCode: ErrorCode,
    /** What the document is, for messages (`issuer`, `verifier`). */
    private readonly noun: string,
  ) {}

  private api(tenantContext: AgentContext) {
    return tenantContext.dependencyManager.resolve(GenericRecordsApi)
  }

  private notFound(id: string): DomainError {
    return new DomainError(this.notFoundCode, `No ${this.noun} '${id}' in this tenant`)
  }

  private recordId(id: string) {
    return `${this.kind}-${id}`
  }

  /** Replaces a stored document; false when there is none. */
  private async replace(tenantContext: AgentContext, id: string, document: Document): Promise<boolean> {
    const api = this.api(tenantContext)
    const record = await api.findById(this.recordId(id))
    if (!record) return false
    record.content = { ...document } as Record<string, unknown>
    await api.update(record)
    return true
  }

  public async save(tenantContext: AgentContext, id: string, document: Document): Promise<void> {
    await this.api(tenantContext).save({
      id: this.recordId(id),
      content: { ...document } as Record<string, unknown>,
      tags: { kind: this.kind },
    })
  }

  public async find(tenantContext: AgentContext, id: string): Promise<Document | null> {
    const record = await this.api(tenantContext).findById(this.recordId(id))
    return record ? (record.content as unknown as Document) : null
  }

  public async get(tenantContext: AgentContext, id: string): Promise<Document> {
    const document = await this.find(tenantContext, id)
    if (!document) throw this.notFound(id)
    return document
  }

  /** Replaces the document; the store's not-found DomainError when there is none. */
  public async update(tenantContext: AgentContext, id: string, document: Document): Promise<void> {
    if (!(await this.replace(tenantContext, id, document))) throw this.notFound(id)
  }

  /** Creates or replaces the document. */
  public async put(tenantContext: AgentContext, id: string, document: Document): Promise<void> {
    if (!(await this.replace(tenantContext, id, document))) await this.save(tenantContext, id, document)
  }

  /**
   * Saves the document unless one is stored under `id` already, and answers the one that stands:
   * one winner, even between instances saving at once.
   */
  public async claim(tenantContext: AgentContext, id: string, document: Document): Promise<Document> {
    const existing = await this.find(tenantContext, id)
    if (existing) return existing
    try {
      await this.save(tenantContext, id, document)
      return document
    } catch (error) {
      if (!(error instanceof RecordDuplicateError)) throw error
      return this.get(tenantContext, id)
    }
  }

  public async list(tenantContext: AgentContext): Promise<Document[]> {
    const records = await this.api(tenantContext).findAllByQuery({ kind: this.kind })
    return records.map((record) => record.content as unknown as Document)
  }

  /** Deletes the document; the store's not-found DomainError when there is none. */
  public async remove(tenantContext: AgentContext, id: string): Promise<void> {
    if (!(await this.delete(tenantContext, id))) throw this.notFound(id)
  }

  /** Deletes the document; false when there was none. */
  public async delete(tenantContext: AgentContext, id: string): Promise<boolean> {
    const api = this.api(tenantContext)
    const record = await api.findById(this.recordId(id))
    if (!record) return false
    await api.delete(record)
    return true
  }
}
