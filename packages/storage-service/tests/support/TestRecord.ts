import { BaseRecord, type TagsBase, utils } from '@credo-ts/core'

export interface TestRecordProps {
  id?: string
  createdAt?: Date
  counter?: number
  tags?: TagsBase
}

/** A minimal Credo record with free-form custom tags, for the storage conformance suite. */
export class TestRecord extends BaseRecord<TagsBase, TagsBase> {
  public static override readonly type: string = 'TestRecord'
  public override readonly type: string = TestRecord.type

  public counter = 0

  public constructor(props: TestRecordProps = {}) {
    super()
    this.id = props.id ?? utils.uuid()
    this.createdAt = props.createdAt ?? new Date()
    this.counter = props.counter ?? 0
    this._tags = props.tags ?? {}
  }

  public getTags(): TagsBase {
    return { ...this._tags }
  }
}

/** A second record type with a time to live in the suite's configuration. */
export class ExpiringTestRecord extends TestRecord {
  public static override readonly type = 'ExpiringTestRecord'
  public override readonly type = ExpiringTestRecord.type
}
