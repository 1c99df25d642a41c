import { BaseRecord, type TagsBase } from '@credo-ts/core'

export interface LocalKmsKeyRecordProps {
  id: string
  /** AES-256-GCM ciphertext of the private JWK (base64url). */
  ciphertext: string
  iv: string
  authTag: string
  /** Which master key encrypted it (first 16 hex of its SHA-256). */
  masterKeyId: string
}

/**
 * A private key of the local KMS, encrypted at rest. Stored in the role's storage through
 * Credo's StorageService, so it lives in the agent context's (tenant's) partition. The private
 * JWK is never stored in the clear.
 */
export class LocalKmsKeyRecord extends BaseRecord<TagsBase> {
  public static override readonly type = 'LocalKmsKeyRecord'
  public override readonly type = LocalKmsKeyRecord.type

  public ciphertext!: string
  public iv!: string
  public authTag!: string
  public masterKeyId!: string

  public constructor(props?: LocalKmsKeyRecordProps) {
    super()
    if (props) {
      this.id = props.id
      this.createdAt = new Date()
      this.ciphertext = props.ciphertext
      this.iv = props.iv
      this.authTag = props.authTag
      this.masterKeyId = props.masterKeyId
    }
  }

  public getTags(): TagsBase {
    return { ...this._tags, masterKeyId: this.masterKeyId }
  }
}
