import { BaseRecord, type TagsBase } from '@credo-ts/core'

/** An input row refused at intake, by its row number (1-based; CSV: the line number). */
export interface InvalidRow {
  row: number
  code: string
  message: string
}

export interface OfferBatchProps {
  id: string
  tenantId: string
  issuerId: string
  credentialConfigurationId: string
  expiresInSeconds: number
  txCodeLength?: number
  total: number
  chunkCount: number
  invalidRows: InvalidRow[]
}

/**
 * A bulk-offer batch: what was asked, and its progress. Kept in the service's root context
 * (tagged with the tenant) so that workers can find unfinished batches of every tenant; the
 * rows themselves, personal data, stay in the tenant's partition ({@link OfferBatchChunkRecord}).
 */
export class OfferBatchRecord extends BaseRecord<TagsBase> {
  public static override readonly type = 'AttestoOfferBatchRecord'
  public override readonly type = OfferBatchRecord.type

  public tenantId!: string
  public issuerId!: string
  public credentialConfigurationId!: string
  public expiresInSeconds!: number
  public txCodeLength?: number
  /** Rows submitted, valid or not. */
  public total!: number
  public chunkCount!: number
  public invalidRows: InvalidRow[] = []
  /** Offers created. */
  public done = 0
  /** Rows without an offer: invalid at intake, or given up after every retry. */
  public failed = 0
  /** Chunks whose rows are counted in `done` and `failed` (each counted once). */
  public countedChunks: number[] = []
  public state: 'queued' | 'finished' = 'queued'
  public finishedAt?: string

  public constructor(props?: OfferBatchProps) {
    super()
    if (props) {
      Object.assign(this, props)
      this.createdAt = new Date()
      this.failed = props.invalidRows.length
    }
  }

  public getTags(): TagsBase {
    return { ...this._tags, tenantId: this.tenantId, state: this.state }
  }
}
