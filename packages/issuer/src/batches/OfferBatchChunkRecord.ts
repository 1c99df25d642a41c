import { BaseRecord, type TagsBase } from '@credo-ts/core'

/** A row of a batch: its row number and its claims, checked against the configuration at intake. */
export interface BatchRow {
  row: number
  claims: Record<string, unknown>
  /** The row's own idempotency key (`@key`): a row submitted again, in any batch, gets no second offer. */
  key?: string
}

export type RowResult =
  | {
      row: number
      offerId: string
      uri: string
      txCode?: string
      expiresAt: string
      /** Set when the row's key was first submitted elsewhere: this is that row's offer. */
      duplicateOf?: { batchId: string; row: number }
    }
  | { row: number; error: { code: string; message: string } }

/**
 * One job's worth of a batch's rows, in the tenant's partition. `codes` are the pre-authorised
 * codes of its offers, chosen before any offer is made: a retried job finds the offers a killed
 * attempt already made by their code, so every row gets exactly one offer.
 */
export class OfferBatchChunkRecord extends BaseRecord<TagsBase> {
  public static override readonly type = 'AttestoOfferBatchChunkRecord'
  public override readonly type = OfferBatchChunkRecord.type

  public batchId!: string
  public index!: number
  public rows: BatchRow[] = []
  public codes: string[] = []
  /** Results by position in `rows`, null until the row is done. */
  public results: (RowResult | null)[] = []
  public attempts = 0

  public constructor(props?: { batchId: string; index: number; rows: BatchRow[] }) {
    super()
    if (props) {
      this.id = `${props.batchId}-${props.index}`
      this.createdAt = new Date()
      this.batchId = props.batchId
      this.index = props.index
      this.rows = props.rows
      this.results = props.rows.map(() => null)
    }
  }

  public getTags(): TagsBase {
    return { ...this._tags, batchId: this.batchId }
  }
}
