import { BaseRecord, type TagsBase } from '@credo-ts/core'

export interface IdempotencyRecordProps {
  id: string
  requestHash: string
  prepared?: unknown
}

/**
 * The first result of a create call made with an `Idempotency-Key`, kept (24 h by default, see
 * the runtime's storage TTL) so that a retry returns it instead of creating again. `pending`
 * while a call runs, `failed` after one failed (a retry may take over at once). `prepared` is
 * what the call was given to make its work repeatable (see `withIdempotency`).
 */
export class IdempotencyRecord extends BaseRecord<TagsBase> {
  public static override readonly type = 'AttestoIdempotencyRecord'
  public override readonly type = IdempotencyRecord.type

  public requestHash!: string
  public state: 'pending' | 'done' | 'failed' = 'pending'
  public status?: number
  public body?: unknown
  public prepared?: unknown

  public constructor(props?: IdempotencyRecordProps) {
    super()
    if (props) {
      this.id = props.id
      this.createdAt = new Date()
      this.requestHash = props.requestHash
      this.prepared = props.prepared
    }
  }

  /** When the current call started (epoch milliseconds): a take-over restarts the clock. */
  public updatedOrCreated(): number {
    return (this.updatedAt ?? this.createdAt).getTime()
  }

  public getTags(): TagsBase {
    return { ...this._tags, state: this.state }
  }
}
