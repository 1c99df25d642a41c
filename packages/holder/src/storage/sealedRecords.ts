import { BaseRecord, type BaseRecordConstructor, type Query, type TagsBase, type TagValue } from '@credo-ts/core'
import type { DataEncryptionKey } from '../keys/DataEncryptionKey.js'

// biome-ignore lint/suspicious/noExplicitAny: Credo's own storage contract is typed this way.
export type AnyRecord = BaseRecord<any, any, any>

/** A row as the inner storage sees it: any record type, its value whatever was stored. */
export class StoredRow extends BaseRecord<TagsBase> {
  public override readonly type: string = 'StoredRow'
  /** Present on sealed rows: the record's JSON, AES-256-GCM under the wallet's record key. */
  public sealed?: string

  public getTags(): TagsBase {
    return { ...this._tags }
  }
}

const rowClasses = new Map<string, BaseRecordConstructor<StoredRow>>()

/** A {@link StoredRow} class for one record type (the inner storage selects rows by `recordClass.type`). */
export function rowClassOf(type: string): BaseRecordConstructor<StoredRow> {
  let rowClass = rowClasses.get(type)
  if (!rowClass) {
    rowClass = class extends StoredRow {
      public static override readonly type = type
      public override readonly type = type
    } as unknown as BaseRecordConstructor<StoredRow>
    rowClasses.set(type, rowClass)
  }
  return rowClass
}

/** Binds a sealed value to its wallet, record type and id: a row copied elsewhere does not open. */
export const recordAad = (walletId: string, type: string, id: string) =>
  `attesto-wallet-record:v1:${walletId}:${type}:${id}`

/**
 * Tag values become keyed hashes (HMAC-SHA256 under a key derived from the DEK, per record type
 * and tag name): equality and array-containment queries work unchanged; no value is readable.
 * Tag names, `null` and `undefined` stay as they are.
 */
export function hashedTagValue(dek: DataEncryptionKey, type: string, name: string, value: TagValue): TagValue {
  if (value === null || value === undefined) return value
  const hash = (item: string | boolean) => dek.tagHash(`${type}\u0000${name}\u0000${typeof item}:${String(item)}`)
  if (Array.isArray(value)) return value.map((item) => hash(item))
  if (typeof value === 'string' || typeof value === 'boolean') return hash(value)
  return value
}

export function hashedTags(dek: DataEncryptionKey, type: string, tags: TagsBase): TagsBase {
  return Object.fromEntries(
    Object.entries(tags).map(([name, value]) => [name, hashedTagValue(dek, type, name, value)]),
  ) as TagsBase
}

/** The same query over hashed tag values. */
export function hashedQuery<T extends AnyRecord>(dek: DataEncryptionKey, type: string, query: Query<T>): Query<T> {
  const result: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(query as Record<string, unknown>)) {
    if (key === '$and' || key === '$or') {
      result[key] = (value as Query<T>[]).map((subquery) => hashedQuery(dek, type, subquery))
    } else if (key === '$not') {
      result[key] = hashedQuery(dek, type, value as Query<T>)
    } else {
      result[key] = hashedTagValue(dek, type, key, value as TagValue)
    }
  }
  return result as Query<T>
}
