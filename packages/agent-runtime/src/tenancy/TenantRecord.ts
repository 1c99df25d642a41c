import { BaseRecord, type TagsBase, utils } from '@credo-ts/core'
import { contextCorrelationIdOf } from './contextCorrelationId.js'

/** One API key of a tenant, as listed (the secret is never kept; `hash` never leaves the service). */
export interface TenantApiKey {
  /** Stable, not secret: the first 16 hex digits of the secret's SHA-256. */
  id: string
  /** SHA-256 (hex) of the secret. */
  hash: string
  name?: string
  /** The key's first characters (`atk.<tenant>.<6 characters>`), to tell keys apart. */
  prefix: string
  createdAt: string
  /** ISO time after which the key is refused. */
  expiresAt?: string
}

export interface TenantRecordProps {
  id?: string
  label: string
}

/**
 * A tenant: one organisation, with its own agent context, storage partition and KMS key
 * namespace. Kept in the root context.
 */
export class TenantRecord extends BaseRecord<TagsBase> {
  public static override readonly type = 'AttestoTenantRecord'
  public override readonly type = TenantRecord.type

  public label!: string
  /** SHA-256 (hex) of each API key's secret; the keys themselves are never stored. */
  public apiKeyHashes: string[] = []
  /** What is known about each API key besides its hash: id, name, prefix, creation and expiry. */
  public apiKeys: TenantApiKey[] = []
  /** Hashes of revoked keys: never accepted again, even from a stale copy of this record. */
  public revokedApiKeyHashes: string[] = []

  public constructor(props?: TenantRecordProps) {
    super()
    if (props) {
      this.id = props.id ?? utils.uuid()
      this.createdAt = new Date()
      this.label = props.label
    }
  }

  /** The agent context correlation id of this tenant (its storage partition and key namespace). */
  public get contextCorrelationId(): string {
    return contextCorrelationIdOf(this.id)
  }

  public getTags(): TagsBase {
    return { ...this._tags, label: this.label }
  }
}
