import type { RecordPageCursor, RecordPageReturn, RecordPages } from '@attesto/storage-service'
import type { AgentContext } from '@credo-ts/core'
import type { RequestHandler } from 'express'
import type { TenantRequestLocals } from '../auth/apiKeys.js'
import type { TenantDocumentStore } from '../records/TenantDocumentStore.js'
import { decodeCursor, pageBody, type pageQuery } from './pagination.js'

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

export interface DocumentListOptions<Document extends object, Item> {
  pages: RecordPages
  store: TenantDocumentStore<Document>
  /** The list's name in its cursors (a cursor of one list is refused by another). */
  list: string
  /** The array's name in the answer. */
  items: string
  /** The list's query schema (`pageQuery({})`), the one its OpenAPI operation describes. */
  query: ReturnType<typeof pageQuery>
  view: (document: Document) => Item
}

/**
 * `GET` handler of a list of a tenant's documents of one store: `limit` and `cursor` from the
 * query, one keyset page ({@link documentPage}), answered as `{ <items>: [...], next_cursor }`.
 */
export function documentListHandler<Document extends object, Item>(
  options: DocumentListOptions<Document, Item>,
): RequestHandler {
  return async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const query = options.query.parse(request.query)
    const page = await documentPage(options.pages, tenantContext, options.store, {
      limit: query.limit,
      after: decodeCursor(options.list, query.cursor),
    })
    response.json(pageBody(options.list, options.items, page, options.view))
  }
}
