import { BaseRecord, type TagsBase } from '@credo-ts/core'

export interface IdempotencyRecordProps {
  id: string
  requestHash: string
}

/**
 * The first result of a create call made with an `Idempotency-Key`, kept (24 h by default, see
 * the runtime's storage TTL) so that a retry returns it instead of creating again. `pending`
 * while the first call runs.
 */
export class IdempotencyRecord extends BaseRecord<TagsBase> {
  public static override readonly type = 'AttestoIdempotencyRecord'
  public override readonly type = IdempotencyRecord.type

  public requestHash!: string
  public state: 'pending' | 'done' = 'pending'
  public status?: number
  public body?: unknown

  public constructor(props?: IdempotencyRecordProps) {
    super()
    if (props) {
      this.id = props.id
      this.createdAt = new Date()
      this.requestHash = props.requestHash
    }
  }

  public getTags(): TagsBase {
    return { ...this._tags, state: this.state }
  }
}
