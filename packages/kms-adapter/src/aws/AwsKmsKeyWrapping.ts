import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms'
import { type AgentContext, Kms } from '@credo-ts/core'
import {
  assertContext,
  assertWrappable,
  KeyUnwrapError,
  type KeyWrapping,
  type UnwrapKeyOptions,
  type UnwrapKeyReturn,
  type WrapKeyOptions,
  type WrapKeyReturn,
} from '../KeyWrapping.js'
import { type KeyNamespace, wrappingKeyName } from '../keyNaming.js'
import { awsErrorName } from './awsErrors.js'

/** How the backend calls AWS KMS (retries, breaker) and makes the tenant's wrapping key. */
export interface AwsKmsCalls {
  client: KMSClient
  request<T>(operation: string, idempotent: boolean, call: () => Promise<T>): Promise<T>
  /** A symmetric key behind the alias `name`; KeyManagementKeyExistsError when another caller made it first. */
  createWrappingKey(agentContext: AgentContext, name: string): Promise<void>
}

/** AWS's answers to a ciphertext that is not this key's, or does not authenticate with this context. */
const NOT_UNWRAPPABLE = new Set(['InvalidCiphertextException', 'IncorrectKeyException', 'NotFoundException'])

/**
 * Key wrapping on AWS KMS: `Encrypt` and `Decrypt` (`SYMMETRIC_DEFAULT`) under one symmetric key
 * per role and tenant behind the alias `alias/<prefix>-<role>-<tenant>-_wrap`, made (with its
 * alias) the first time a tenant wraps a key. The context and the tenant are the encryption
 * context, which AWS authenticates and writes to CloudTrail. A wrapped key is the base64 of the
 * `CiphertextBlob`; unwrapping names the alias, so a blob of another key is refused.
 */
export class AwsKmsKeyWrapping implements KeyWrapping {
  public constructor(
    private readonly calls: AwsKmsCalls,
    private readonly namespace: KeyNamespace,
  ) {}

  public async wrapKey(agentContext: AgentContext, options: WrapKeyOptions): Promise<WrapKeyReturn> {
    assertWrappable('aws', options.key, options.context)
    const name = wrappingKeyName(this.namespace, agentContext)
    const encrypt = () =>
      this.calls.request('wrap key', true, () =>
        this.calls.client.send(
          new EncryptCommand({
            KeyId: `alias/${name}`,
            Plaintext: options.key,
            EncryptionContext: this.encryptionContext(agentContext, options.context),
            EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
          }),
        ),
      )
    let response: Awaited<ReturnType<typeof encrypt>>
    try {
      response = await encrypt()
    } catch (error) {
      if (awsErrorName(error) !== 'NotFoundException') throw error
      await this.calls.createWrappingKey(agentContext, name).catch((creating: unknown) => {
        if (!(creating instanceof Kms.KeyManagementKeyExistsError)) throw creating
      })
      response = await encrypt()
    }
    if (!response.CiphertextBlob) throw new Kms.KeyManagementError('AWS KMS answered no ciphertext when wrapping a key')
    return { wrappedKey: Buffer.from(response.CiphertextBlob).toString('base64') }
  }

  public async unwrapKey(agentContext: AgentContext, options: UnwrapKeyOptions): Promise<UnwrapKeyReturn> {
    assertContext('aws', options.context)
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(options.wrappedKey)) {
      throw new KeyUnwrapError('aws backend: not a key wrapped by AWS KMS')
    }
    const name = wrappingKeyName(this.namespace, agentContext)
    try {
      const response = await this.calls.request('unwrap key', true, () =>
        this.calls.client.send(
          new DecryptCommand({
            KeyId: `alias/${name}`,
            CiphertextBlob: Buffer.from(options.wrappedKey, 'base64'),
            EncryptionContext: this.encryptionContext(agentContext, options.context),
            EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
          }),
        ),
      )
      if (!response.Plaintext) throw new Kms.KeyManagementError('AWS KMS answered no plaintext when unwrapping')
      return { key: new Uint8Array(response.Plaintext) }
    } catch (error) {
      if (!NOT_UNWRAPPABLE.has(awsErrorName(error) ?? '')) throw error
      throw new KeyUnwrapError('aws backend: the wrapped key does not unwrap for this tenant and context', {
        cause: error as Error,
      })
    }
  }

  private encryptionContext(agentContext: AgentContext, context: Record<string, string>): Record<string, string> {
    return { ...context, 'attesto:tenant': agentContext.contextCorrelationId }
  }
}
