import type { RecordPageCursor, RecordPageReturn, RecordPages } from '@attesto/storage-service'
import type { AgentContext } from '@credo-ts/core'
import type { TenantDocumentStore } from './TenantDocumentStore.js'

/** How a Credo generic record is stored: its JSON, the document under `content`. */
interface StoredGenericRecord<Document> {
  content: Document
}

/**
 * A page of a tenant's documents of one store (in creation order, then id), read in SQL through
 * keyset pagination instead of loading them all.
 */
export async function documentPage<Document extends object>(
  pages: RecordPages,
  tenantContext: AgentContext,
  store: TenantDocumentStore<Document>,
  options: { limit: number; after?: RecordPageCursor | undefined },
): Promise<RecordPageReturn<Document>> {
  const page = await pages.page<StoredGenericRecord<Document>>(tenantContext.contextCorrelationId, {
    recordType: 'GenericRecord',
    tags: { kind: store.kind },
    limit: options.limit,
    ...(options.after ? { after: options.after } : {}),
  })
  return { ...page, items: page.items.map((item) => ({ ...item, value: item.value.content })) }
}
