import { BaseRecord, type TagsBase, utils } from '@credo-ts/core'

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
    return `tenant-${this.id}`
  }

  public getTags(): TagsBase {
    return { ...this._tags, label: this.label }
  }
}
