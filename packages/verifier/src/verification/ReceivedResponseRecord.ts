import { BaseRecord, type TagsBase } from '@credo-ts/core'

/**
 * The fingerprint (SHA-256) of an authorisation response the verifier has received, kept for
 * the longest lifetime of a request (see the verifier's storage TTL) so that the same response
 * is never accepted twice, by the request it answered or by any other.
 */
export class ReceivedResponseRecord extends BaseRecord<TagsBase> {
  public static override readonly type = 'AttestoReceivedResponseRecord'
  public override readonly type = ReceivedResponseRecord.type

  public constructor(props?: { id: string }) {
    super()
    if (props) {
      this.id = props.id
      this.createdAt = new Date()
    }
  }

  public getTags(): TagsBase {
    return { ...this._tags }
  }
}
